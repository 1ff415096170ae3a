package dev.locus.claims;

import java.util.Locale;

/**
 * One threshold a claim tests: a measured number, how it must compare, the threshold, and whether
 * it did. Its sentence names all three, so a failing claim says what missed by how much.
 */
public record Check(String what, double value, String comparison, double threshold, boolean passed) {
    public static Check atLeast(String what, double value, double threshold) {
        return new Check(what, value, ">=", threshold, value >= threshold);
    }

    public static Check atMost(String what, double value, double threshold) {
        return new Check(what, value, "<=", threshold, value <= threshold);
    }

    public static Check below(String what, double value, double threshold) {
        return new Check(what, value, "<", threshold, value < threshold);
    }

    public static Check above(String what, double value, double threshold) {
        return new Check(what, value, ">", threshold, value > threshold);
    }

    public String sentence() {
        return String.format(Locale.ROOT, "%s = %.4g, %s %s %.4g", what, value, passed ? "meets" : "misses", comparison, threshold);
    }
}
