package dev.locus.measure;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.model.Point;
import dev.locus.patching.SkippedPair;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Every number the four claims read, measured once on a checkpoint pair (see {@link Plan#measure}):
 * clean margins, both per-layer sweeps (at {@code block_out.L} and {@code resid_post.L}), the
 * dose-response and the controls at the peak layer L*, the SVD of the tuned-minus-base differences
 * at L* on the fit pairs and the subspace patches on the held-out pairs, and the per-layer
 * activation distances LASSO reads. Margins are kept raw, per pair; the claims derive their effects
 * from them.
 *
 * @param pairIds the measured pairs, in sampled order
 * @param heldOut per pair, whether it is held out of the subspace fit
 * @param skipped pairs that could not be encoded, with the reason
 * @param base m_B per pair
 * @param tuned m_T per pair
 * @param sweeps per site ({@code block_out}, {@code resid_post}): patched margins per layer and pair
 * @param peakLayer L*
 * @param peakChosenBy {@code argmax f_L} or {@code expectations}
 * @param doseAlphas the interpolation weights at L*
 * @param dose [alpha][pair] base margin with tuned's point L* interpolated in
 * @param noise per pair, base margin under a Gaussian patch of the donor difference's norm at L*
 * @param noiseMirrored per pair, the same patch with the Gaussian negated
 * @param shuffled per pair, base margin with another pair's tuned activations at L*
 * @param ranks the subspace ranks measured, below the hidden size
 * @param subspace [rank][held-out pair] base margin with the top-k directions of the difference patched in
 * @param random [rank][draw][held-out pair] the same with random orthonormal k-frames
 * @param singularValues of the stacked fit-pair differences at L*
 * @param energy cumulative energy fraction of the singular values
 * @param distances [pair][layer] mean over completion positions of ||tuned - base|| at {@code block_out.L}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Measurement(int layers, int hiddenSize, List<String> pairIds, boolean[] heldOut, List<SkippedPair> skipped,
        double[] base, double[] tuned, List<LayerSweep> sweeps, int peakLayer, String peakChosenBy, double[] doseAlphas,
        double[][] dose, double[] noise, double[] noiseMirrored, double[] shuffled, int[] ranks, double[][] subspace, double[][][] random,
        double[] singularValues, double[] energy, double[][] distances) {

    /** L* chosen as the layer whose tuned->base patch moves the base most. */
    public static final String PEAK_BY_ARGMAX = "argmax f_L";
    /** L* named by the expectations' {@code run.peak_layer}. */
    public static final String PEAK_BY_EXPECTATIONS = "expectations";

    /**
     * One site's per-layer sweep: [layer][pair] patched margins, tuned->base (the base with the
     * tuned model's point) and base->tuned (the tuned model with the base's point).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LayerSweep(Point.Site site, double[][] tunedToBase, double[][] baseToTuned) {}

    @JsonIgnore
    public int pairs() {
        return pairIds.size();
    }

    public LayerSweep sweep(Point.Site site) {
        return sweeps.stream().filter(s -> s.site() == site).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no sweep at site " + site));
    }

    /** G(p) = m_T - m_B. */
    @JsonIgnore
    public double[] gains() {
        double[] g = new double[base.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = tuned[i] - base[i];
        }
        return g;
    }

    @JsonIgnore
    public int[] heldOutIndices() {
        return IntStream.range(0, heldOut.length).filter(i -> heldOut[i]).toArray();
    }

    /** L* = argmax over layers of mean(patched - m_B), the same argmax as f_L (one mean G divides them all). */
    public static int argmaxTransfer(double[][] tunedToBase, double[] base) {
        int best = 0;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int l = 0; l < tunedToBase.length; l++) {
            double s = 0;
            for (int i = 0; i < base.length; i++) {
                s += tunedToBase[l][i] - base[i];
            }
            if (s > bestValue) {
                bestValue = s;
                best = l;
            }
        }
        return best;
    }
}
