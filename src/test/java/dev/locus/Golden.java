package dev.locus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The golden checkpoints and expected values copied from ../shared/golden into test resources. */
public final class Golden {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Golden() {}

    public static Path dir(String name) {
        try {
            return Path.of(Golden.class.getResource("/golden/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("golden case " + name + " is not on the test classpath", e);
        }
    }

    public static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    /** Max |expected - actual| over a nested JSON array and a flat row-major float array. */
    public static void assertClose(JsonNode expected, float[] actual, double tolerance, String what) {
        double[] flat = flatten(expected);
        assertEquals(flat.length, actual.length, what + ": element count");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < flat.length; i++) {
            double d = Math.abs(flat[i] - actual[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        double w = worst;
        int a = at;
        assertTrue(w <= tolerance, () -> what + ": max |diff| " + w + " at flat index " + a + " exceeds " + tolerance);
    }

    /** Max |expected - actual| at most {@code relative} times the largest |expected| of the array (and of 1). */
    public static void assertRelativelyClose(JsonNode expected, float[] actual, double relative, String what) {
        double largest = 1;
        for (double v : flatten(expected)) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertClose(expected, actual, relative * largest, what + " (relative to its largest value " + largest + ")");
    }

    public static double[] flatten(JsonNode node) {
        java.util.List<Double> out = new java.util.ArrayList<>();
        collect(node, out);
        double[] d = new double[out.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = out.get(i);
        }
        return d;
    }

    private static void collect(JsonNode node, java.util.List<Double> out) {
        if (node.isArray()) {
            node.forEach(n -> collect(n, out));
        } else {
            out.add(node.doubleValue());
        }
    }
}
