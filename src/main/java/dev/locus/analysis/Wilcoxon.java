package dev.locus.analysis;

import java.util.Arrays;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.ContinuityCorrection;
import org.apache.commons.statistics.inference.PValueMethod;
import org.apache.commons.statistics.inference.WilcoxonSignedRankTest;

/**
 * Two-sided Wilcoxon signed-rank test of paired differences against 0, as SciPy's
 * {@code wilcoxon(zero_method='wilcox', correction=False)}: zero differences are dropped first;
 * the p-value is exact for n <= 50 without ties, else the normal approximation (tie-corrected, no
 * continuity correction). commons-statistics computes it; commons-math3 is avoided (its
 * approximate p-values are wrong).
 */
public final class Wilcoxon {
    /** Exact p-values up to this many non-zero differences (SciPy's default). */
    public static final int EXACT_UP_TO = 50;

    /**
     * @param statistic min(W+, W-), the smaller signed rank sum
     * @param n differences left after dropping zeros
     */
    public record Result(double statistic, double p, int n, boolean exact) {}

    private Wilcoxon() {}

    public static Result test(double[] differences) {
        return test(differences, null);
    }

    /** With {@code method} null: exact for n <= 50 without ties, else the normal approximation. */
    public static Result test(double[] differences, PValueMethod method) {
        double[] nonZero = Arrays.stream(differences).filter(d -> d != 0).toArray();
        int n = nonZero.length;
        if (n == 0) {
            return new Result(0, 1, 0, true);
        }
        boolean ties = Arrays.stream(nonZero).map(Math::abs).distinct().count() < n;
        PValueMethod chosen = method != null ? method : n <= EXACT_UP_TO && !ties ? PValueMethod.EXACT : PValueMethod.ASYMPTOTIC;
        WilcoxonSignedRankTest test = WilcoxonSignedRankTest.withDefaults().with(AlternativeHypothesis.TWO_SIDED)
                .with(ContinuityCorrection.DISABLED).with(chosen);
        double wPlus = test.statistic(nonZero);
        double statistic = Math.min(wPlus, n * (n + 1) / 2.0 - wPlus);
        return new Result(statistic, test.test(nonZero).getPValue(), n, chosen == PValueMethod.EXACT);
    }
}
