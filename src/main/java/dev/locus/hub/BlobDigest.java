package dev.locus.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A download checked against the etag the Hub named it by, before it goes into the cache: an LFS
 * file's etag is the sha256 of its bytes, a small file's is its git blob id (the sha1 of
 * {@code "blob " + length + "\0"} and the bytes). Hashed as the bytes are written, so a large file
 * is not read back (huggingface_hub checks only the size); a resumed download hashes the part it
 * resumes from first.
 */
final class BlobDigest {
    private final String etag;
    private final String algorithm;
    private final long size;
    private MessageDigest md;

    private BlobDigest(String etag, String algorithm, long size) {
        this.etag = etag;
        this.algorithm = algorithm;
        this.size = size;
        restart();
    }

    /** The digest of the {@code size}-byte file named {@code etag}, fed the bytes {@code partial} already holds. */
    static BlobDigest resuming(HubName name, String file, String etag, long size, Path partial) {
        String algorithm = switch (etag.length()) {
            case 64 -> "SHA-256";
            case 40 -> "SHA-1";
            default -> null;
        };
        if (algorithm == null || !etag.matches("[0-9a-f]+")) {
            throw new HubException(name.toString(), file, "the Hub named it by etag \"" + etag
                    + "\", neither a sha256 nor a git blob id: locus cannot verify the bytes it would use");
        }
        BlobDigest digest = new BlobDigest(etag, algorithm, size);
        if (Files.exists(partial)) {
            try (InputStream in = Files.newInputStream(partial)) {
                byte[] buffer = new byte[1 << 20];
                // the length the download resumes from, not to the end of what reads: a device reads on forever
                long left = Files.size(partial);
                for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; left -= n) {
                    digest.update(buffer, 0, n);
                }
            } catch (IOException e) {
                throw new HubException(partial.toString(), file, "cannot read the partial download back: " + e.getMessage(), e);
            }
        }
        return digest;
    }

    /** The file is being written again from its first byte. */
    void restart() {
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
        if (algorithm.equals("SHA-1")) {
            md.update(("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
        }
    }

    void update(byte[] bytes, int offset, int length) {
        md.update(bytes, offset, length);
    }

    /** Deletes {@code partial} and throws when its bytes are not the etag's: resuming them could never give the file. */
    void verify(HubName name, String file, Path partial) {
        String actual = HexFormat.of().formatHex(md.digest());
        if (!actual.equals(etag)) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                throw HubCache.unwritable(partial, e);
            }
            throw new HubException(name.toString(), file, "the bytes downloaded have " + (algorithm.equals("SHA-256") ? "sha256 " : "git blob id ")
                    + actual + ", not the " + etag + " the Hub named them by: deleted, nothing was cached; run again, and if it "
                    + "repeats, a proxy or mirror (HF_ENDPOINT) is serving other bytes");
        }
    }
}
