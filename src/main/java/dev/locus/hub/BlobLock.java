package dev.locus.hub;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lock a download of one blob holds, the file huggingface_hub locks for it
 * ({@code .locks/models--ORG--NAME/<etag>.lock}) taken the way it takes it: with flock(2). java.nio's
 * FileLock takes fcntl locks, which Linux keeps apart from flock's, so it would not keep a locus and
 * a Python download of the same blob apart; flock does, and between two processes or two threads
 * of one, each holding its own open file.
 */
final class BlobLock implements AutoCloseable {
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int LOCK_UN = 8;
    private static final int O_RDWR = 2;
    private static final int O_CREAT = Platform.isMac() ? 0x200 : 0x40;
    private static final int EWOULDBLOCK = Platform.isMac() ? 35 : 11;

    private interface LibC extends Library {
        int open(String path, int flags, int mode) throws LastErrorException;

        int flock(int fd, int operation) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final LibC LIBC = Native.load(Platform.C_LIBRARY_NAME, LibC.class);

    private final int fd;

    private BlobLock(int fd) {
        this.fd = fd;
    }

    /** Blocks until this process holds {@code file}'s lock; says so on {@code log} when it has to wait. */
    static BlobLock acquire(Path file, String what, PrintStream log) {
        try {
            Files.createDirectories(file.getParent());
            int fd = LIBC.open(file.toString(), O_RDWR | O_CREAT, 0644);
            try {
                try {
                    LIBC.flock(fd, LOCK_EX | LOCK_NB);
                } catch (LastErrorException busy) {
                    if (busy.getErrorCode() != EWOULDBLOCK) {
                        throw busy;
                    }
                    log.println("locus: waiting for another download of " + what + " to finish (" + file + ")");
                    LIBC.flock(fd, LOCK_EX);
                }
                return new BlobLock(fd);
            } catch (LastErrorException e) {
                LIBC.close(fd);
                throw e;
            }
        } catch (IOException | LastErrorException e) {
            throw new HubException(file.toString(), "lock", "cannot lock the cache for " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            LIBC.flock(fd, LOCK_UN);
        } finally {
            LIBC.close(fd);
        }
    }
}
