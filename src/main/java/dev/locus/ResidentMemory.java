package dev.locus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident memory as Linux reports it: what a benchmark states beside its timings. */
public final class ResidentMemory {
    private ResidentMemory() {}

    /** The peak resident set size (VmHWM) of this process in bytes, or -1 where /proc does not say. */
    public static long peakBytes() {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + status, e);
        }
        return -1;
    }
}
