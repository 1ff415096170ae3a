package dev.locus.claims;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.analysis.Bootstrap;
import dev.locus.analysis.Statistics;
import dev.locus.measure.Measurement;
import dev.locus.measure.Run;
import java.util.ArrayList;
import java.util.List;

/**
 * Claim 3, low-rank recovery. The tuned-minus-base differences at L* over the fit pairs' positions,
 * stacked; V_k their top-k right singular vectors. On the held-out pairs, recovery(k) = mean(m_k -
 * m_B) / mean(m_full - m_B), m_full the plain patch (the full-rank subspace). The claim: the full
 * patch moves the held-out pairs (its CI excludes 0, or the ratios are noise), the smallest k with
 * recovery at least the threshold is at most the maximum, and random orthonormal frames of that k
 * recover at most a set share on average. Subspace patches can switch on dormant pathways
 * (Makelov, Lange and Nanda, 2023), so the random control and the energy curve stand beside every
 * recovery figure.
 */
public final class LowRankClaim {
    public static final String NAME = "low_rank";
    public static final String SENTENCE = "Low-rank recovery: a rank-k subspace of the tuned-minus-base activation difference at "
            + "the peak layer recovers nearly the full patching effect on held-out pairs";

    /** One rank's recovery, the mean over random frames of the same rank, and the energy it keeps. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RankRecovery(int k, double recovery, double randomRecovery, double energy) {}

    /**
     * @param smallestK the smallest k reaching the threshold, null when none does
     * @param fullPatchEffect mean(m_full - m_B) on the held-out pairs, with its CI
     * @param singularValues the largest singular values (at most 64)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Result(String claim, Outcome outcome, int peakLayer, int heldOutPairs, Bootstrap.Interval fullPatchEffect,
            List<RankRecovery> recovery, Integer smallestK, double[] singularValues) implements ClaimResult {}

    private LowRankClaim() {}

    public static Result evaluate(Measurement m, Expectations e, Gain gain) {
        Expectations.LowRank l = e.lowRank();
        Run run = e.run();
        int[] held = m.heldOutIndices();
        double[] full = new double[held.length];
        double[] baseHeld = new double[held.length];
        double[] patched = m.sweep(run.site()).tunedToBase()[m.peakLayer()];
        for (int h = 0; h < held.length; h++) {
            baseHeld[h] = m.base()[held[h]];
            full[h] = patched[held[h]] - baseHeld[h];
        }
        Bootstrap.Interval fullEffect = Bootstrap.mean(full, run.bootstrapResamples(), run.confidence(), run.seed());
        double denominator = Statistics.mean(full);
        List<RankRecovery> curve = new ArrayList<>();
        for (int r = 0; r < m.ranks().length; r++) {
            double random = 0;
            for (double[] draw : m.random()[r]) {
                random += recovery(draw, baseHeld, denominator) / m.random()[r].length;
            }
            curve.add(new RankRecovery(m.ranks()[r], recovery(m.subspace()[r], baseHeld, denominator), random,
                    m.energy()[Math.min(m.ranks()[r], m.energy().length) - 1]));
        }
        curve.add(new RankRecovery(m.hiddenSize(), 1.0, 1.0, 1.0));
        RankRecovery smallest = curve.stream().filter(p -> p.recovery() >= l.minRecovery()).findFirst().orElse(null);
        List<Check> checks = new ArrayList<>();
        checks.add(Check.above("lower CI bound of the full patch's effect on held-out pairs", fullEffect.low(), 0));
        checks.add(Check.atMost("smallest k with recovery >= " + l.minRecovery() + (smallest == null ? " (none reaches it: full rank)" : ""),
                smallest == null ? m.hiddenSize() : smallest.k(), l.maxSmallestK()));
        RankRecovery control = smallest != null && smallest.k() < m.hiddenSize() ? smallest
                : curve.stream().filter(p -> p.k() <= l.maxSmallestK()).reduce((a, b) -> b).orElse(curve.get(0));
        checks.add(Check.atMost("mean recovery of random " + control.k() + "-frames", control.randomRecovery(), l.maxRandomRecovery()));
        double[] values = m.singularValues();
        return new Result(NAME, Outcome.of(gain, checks, l.expect()), m.peakLayer(), held.length, fullEffect, curve,
                smallest == null ? null : smallest.k(), java.util.Arrays.copyOf(values, Math.min(64, values.length)));
    }

    private static double recovery(double[] patched, double[] base, double denominator) {
        double s = 0;
        for (int h = 0; h < patched.length; h++) {
            s += patched[h] - base[h];
        }
        return s / patched.length / denominator;
    }
}
