package dev.locus.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** What the benchmarks share: repeated timing with a warm-up, the median, a warm page cache, the figures written as JSON. */
public final class Timing {
    private Timing() {}

    /** Seconds of each of {@code repeats} runs of {@code work}, after one untimed warm-up run. */
    public static double[] repeated(int repeats, Runnable work) {
        work.run();
        double[] s = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            work.run();
            s[i] = secondsSince(t0);
        }
        return s;
    }

    public static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    public static double secondsSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1e9;
    }

    /** Reads the file once, so a load measured after it reads from a warm page cache. */
    public static void warmPageCache(Path file) throws IOException {
        byte[] buffer = new byte[1 << 22];
        try (InputStream in = Files.newInputStream(file)) {
            while (in.read(buffer) > 0) {
                // reading is the point
            }
        }
    }

    /** The figures as pretty JSON in {@code out} (its folder made) and on stdout. */
    public static void write(Path out, ObjectNode report) throws IOException {
        String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
        Path folder = out.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path partial = folder.resolve(out.getFileName() + ".partial");
        Files.writeString(partial, json + "\n", StandardCharsets.UTF_8);
        Files.move(partial, out.toAbsolutePath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.out.println(json);
    }

    /** Multiply-adds x 2 of one forward: projections, attention scores and mixing, and the head at {@code headRows} positions. */
    public static double forwardFlops(dev.locus.model.DecoderConfig c, int t, int headRows) {
        double d = c.hiddenSize();
        double q = (double) c.numHeads() * c.headDim();
        double kv = (double) c.numKvHeads() * c.headDim();
        double projections = 2.0 * t * (d * q + 2 * d * kv + q * d + 3 * d * c.intermediateSize());
        double attention = 2.0 * 2 * t * (double) t * q;
        return c.numLayers() * (projections + attention) + 2.0 * headRows * d * c.vocabSize();
    }
}
