package dev.locus.measure;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.model.Point;
import dev.locus.patching.SkippedPair;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Every number the claims read, measured once on a checkpoint pair (see {@link Plan#measure}), one
 * part per phase of the protocol: the sampled pairs, the layer sweeps (with every pair's clean
 * margins and LASSO's distances), the peak layer L* chosen from them, the dose-response and controls
 * at L*, the SVD of the fit pairs' differences at L*, the subspace patches and the steering vectors
 * on the held-out pairs, and a few held-out pairs' greedy continuations, steered and not. Margins are kept raw, per pair; the claims derive their effects from them.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Measurement(int layers, int hiddenSize, Sample sample, LayerSweeps layerSweeps, Peak peak, DoseAndControls doseAndControls,
        Spectrum spectrum, Subspaces subspaces, Steering steering, List<Continued> continuations) {

    /**
     * The measured pairs.
     *
     * @param ids in sampled order
     * @param heldOut per pair, whether it is held out of the subspace fit
     * @param skipped pairs that could not be encoded, with the reason
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Sample(List<String> ids, boolean[] heldOut, List<SkippedPair> skipped) {}

    /**
     * The layer sweeps' phase.
     *
     * @param base m_B per pair
     * @param tuned m_T per pair
     * @param sites per site ({@code block_out}, {@code resid_post}): patched margins per layer and pair
     * @param distances [pair][layer] mean over completion positions of ||tuned - base|| at {@code block_out.L}
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LayerSweeps(double[] base, double[] tuned, List<LayerSweep> sites, double[][] distances) {
        public LayerSweep at(Point.Site site) {
            return sites.stream().filter(s -> s.site() == site).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no sweep at site " + site));
        }
    }

    /**
     * One site's per-layer sweep: [layer][pair] patched margins, tuned->base (the base with the
     * tuned model's point) and base->tuned (the tuned model with the base's point).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LayerSweep(Point.Site site, double[][] tunedToBase, double[][] baseToTuned) {}

    /** L* and how it was chosen: {@link #BY_ARGMAX} or {@link #BY_EXPECTATIONS}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Peak(int layer, String chosenBy) {
        /** L* chosen as the layer whose tuned->base patch moves the base most. */
        public static final String BY_ARGMAX = "argmax f_L";
        /** L* named by the expectations' {@code run.peak_layer}. */
        public static final String BY_EXPECTATIONS = "expectations";
    }

    /**
     * The dose-and-controls phase at L*, every margin the base's with the tuned model's point L*.
     *
     * @param dose per interpolation weight alpha, in increasing order
     * @param noise per pair, under a Gaussian patch of the donor difference's norm
     * @param noiseMirrored per pair, the same patch with the Gaussian negated
     * @param shuffled per pair, with another pair's tuned activations
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record DoseAndControls(List<Dose> dose, double[] noise, double[] noiseMirrored, double[] shuffled) {
        @JsonIgnore
        public double[] alphas() {
            return dose.stream().mapToDouble(Dose::alpha).toArray();
        }
    }

    /** Per pair, the base margin with tuned's point L* interpolated in with weight alpha. */
    public record Dose(double alpha, double[] margins) {}

    /** The singular values of the stacked fit-pair differences at L*, and their cumulative energy fraction. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Spectrum(double[] singularValues, double[] energy) {}

    /** The subspace phase on the held-out pairs, one entry per rank below the hidden size. */
    public record Subspaces(List<RankPatches> ranks) {}

    /**
     * Per held-out pair, the base margin with the top-k directions of the difference patched in,
     * and the same with each random orthonormal k-frame of the control.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RankPatches(int k, double[] top, List<double[]> randomFrames) {}

    /**
     * The steering phase on the held-out pairs: the base with a vector added at L* (every position the
     * run patches) with weight c.
     *
     * @param meanDifference the mean tuned-minus-base difference over the fit pairs' rows at L*
     * @param rank k of the projected vector
     * @param projected the mean difference on the top-k right singular vectors there
     * @param baseCompletionMeans per held-out pair, the base's mean per-token log-probs [chosen, rejected]
     * @param scales per weight c > 0, in increasing order
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Steering(float[] meanDifference, int rank, float[] projected, double[][] baseCompletionMeans, List<Steered> scales) {}

    /**
     * One weight c, per held-out pair.
     *
     * @param meanDifference margins with c x the mean difference added
     * @param projected margins with c x the projected vector added
     * @param randomDirections per draw, margins with c x a random direction of the mean difference's norm
     * @param completionMeans the mean per-token log-probs [chosen, rejected] with c x the mean difference added
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Steered(double scale, double[] meanDifference, double[] projected, List<double[]> randomDirections,
            double[][] completionMeans) {}

    /**
     * One of the first held-out pairs continued greedily: the prompt, and what the base, the base
     * with the mean difference added (weight 1: the measured difference itself) and the tuned model
     * continue it with.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Continued(String pairId, String prompt, String base, String steered, String tuned) {}

    @JsonIgnore
    public int pairs() {
        return sample.ids().size();
    }

    @JsonIgnore
    public int peakLayer() {
        return peak.layer();
    }

    @JsonIgnore
    public double[] base() {
        return layerSweeps.base();
    }

    @JsonIgnore
    public double[] tuned() {
        return layerSweeps.tuned();
    }

    /** G(p) = m_T - m_B. */
    @JsonIgnore
    public double[] gains() {
        double[] g = new double[base().length];
        for (int i = 0; i < g.length; i++) {
            g[i] = tuned()[i] - base()[i];
        }
        return g;
    }

    @JsonIgnore
    public int[] heldOutIndices() {
        boolean[] heldOut = sample.heldOut();
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
