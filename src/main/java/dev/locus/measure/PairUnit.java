package dev.locus.measure;

import java.io.Serializable;
import java.util.Map;

/**
 * One covered pair's journaled unit of a per-pair phase: its clean margins, its patched margins by
 * {@link Phase#marginKey}, what the phase read out of its clean runs, and for a phase that keeps them
 * the completions' mean per-token log-probs, [chosen, rejected], of the base's clean run
 * ({@link #BASE}) and of each patched run by the same keys (empty for other phases).
 */
public record PairUnit(double base, double tuned, Map<String, Double> margins, double[] readout, Map<String, double[]> completionMeans)
        implements Serializable {
    /** The key of the base's clean run among {@link #completionMeans}. */
    public static final String BASE = "base";
}
