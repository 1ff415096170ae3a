package dev.locus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The process's resident memory as Linux reports it in {@code /proc/self/status}: what a benchmark
 * and a run's timings state beside their seconds. Anonymous memory (heap, libtorch's tensors) is
 * the process's own; file-backed pages (a mapped checkpoint) are the page cache's, shared with
 * every process that maps the same file and given back by the kernel under pressure.
 *
 * @param peakBytes VmHWM, the most the process has held resident; -1 where /proc does not say
 * @param residentBytes VmRSS, resident now
 * @param anonymousBytes RssAnon, resident anonymous memory now
 * @param fileBytes RssFile, resident file-backed pages now
 */
public record ResidentMemory(long peakBytes, long residentBytes, long anonymousBytes, long fileBytes) {
    private static final Path STATUS = Path.of("/proc/self/status");

    /** This process's memory now; every figure -1 where /proc does not say. */
    public static ResidentMemory now() {
        if (!Files.isReadable(STATUS)) {
            return new ResidentMemory(-1, -1, -1, -1);
        }
        try {
            return parse(Files.readAllLines(STATUS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATUS, e);
        }
    }

    /** The figures of a {@code status} file's lines (kB, as the kernel writes them). */
    static ResidentMemory parse(List<String> lines) {
        Map<String, Long> kb = new LinkedHashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.endsWith(" kB")) {
                kb.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 1, line.length() - 3).strip()));
            }
        }
        return new ResidentMemory(bytes(kb, "VmHWM"), bytes(kb, "VmRSS"), bytes(kb, "RssAnon"), bytes(kb, "RssFile"));
    }

    private static long bytes(Map<String, Long> kb, String field) {
        Long v = kb.get(field);
        return v == null ? -1 : v * 1024;
    }

    /** The figures under the names results and benchmark reports use. */
    public Map<String, Long> fields() {
        Map<String, Long> fields = new LinkedHashMap<>();
        fields.put("peak_rss_bytes", peakBytes);
        fields.put("rss_bytes", residentBytes);
        fields.put("anonymous_rss_bytes", anonymousBytes);
        fields.put("file_rss_bytes", fileBytes);
        return fields;
    }

    /** {@code peak RSS 2.83 GB, now anonymous 1.20 GB and file-backed 0.50 GB}. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "peak RSS %.2f GB, now anonymous %.2f GB and file-backed %.2f GB",
                peakBytes / 1e9, anonymousBytes / 1e9, fileBytes / 1e9);
    }
}
