package dev.locus.claims;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.analysis.Spearman;
import dev.locus.measure.Measurement;
import java.util.ArrayList;
import java.util.List;

/**
 * Claim 2, monotone dose-response. At L*, tuned->base interpolation with weight alpha: the mean
 * margin M(alpha) never steps against the direction of M(1) - M(0) by more than a set share of
 * |M(1) - M(0)|; Spearman's rho of (alpha, M), signed by that direction, is at least a minimum; and
 * enough pairs are monotone by the same rule on their own margins.
 */
public final class DoseResponseClaim {
    public static final String NAME = "dose_response";
    public static final String SENTENCE = "Monotone dose-response: alpha-interpolating the peak layer from the base's activations to "
            + "the tuned model's moves the margin monotonically";

    /**
     * @param meanMargins M(alpha) per alpha
     * @param largestStepBack the largest step against the direction, as a share of |M(1) - M(0)|
     * @param monotonePairs the share of pairs monotone by the same rule
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Result(String claim, Outcome outcome, int peakLayer, double[] alphas, double[] meanMargins, double largestStepBack,
            double spearmanRho, double spearmanP, double monotonePairs) implements ClaimResult {}

    private DoseResponseClaim() {}

    public static Result evaluate(Measurement m, Expectations e, Gain gain) {
        Expectations.DoseResponse d = e.doseResponse();
        double[] alphas = m.doseAlphas();
        double[] mean = new double[alphas.length];
        for (int a = 0; a < alphas.length; a++) {
            mean[a] = dev.locus.analysis.Statistics.mean(m.dose()[a]);
        }
        int zero = index(alphas, 0);
        int one = index(alphas, 1);
        double stepBack = largestStepBack(mean, zero, one);
        double sign = Math.signum(mean[one] - mean[zero]);
        Spearman.Result rho = Spearman.of(alphas, mean);
        int monotone = 0;
        for (int i = 0; i < m.pairs(); i++) {
            double[] pair = new double[alphas.length];
            for (int a = 0; a < alphas.length; a++) {
                pair[a] = m.dose()[a][i];
            }
            monotone += largestStepBack(pair, zero, one) <= d.maxStepDown() ? 1 : 0;
        }
        double share = (double) monotone / m.pairs();
        List<Check> checks = new ArrayList<>();
        checks.add(Check.atMost("largest step of the mean margin against its direction, share of |M(1) - M(0)|", stepBack, d.maxStepDown()));
        checks.add(Check.atLeast("Spearman rho(alpha, mean margin), signed by the direction", sign * rho.rho(), d.minSpearman()));
        checks.add(Check.atLeast("share of pairs individually monotone", share, d.minMonotonePairs()));
        return new Result(NAME, Outcome.of(gain, checks, d.expect()), m.peakLayer(), alphas, mean, stepBack, rho.rho(), rho.p(), share);
    }

    /**
     * The largest step of a curve against the direction of curve(1) - curve(0), as a share of
     * |curve(1) - curve(0)|; infinite when the curve steps back and has no change to measure it by.
     */
    static double largestStepBack(double[] curve, int zero, int one) {
        double change = curve[one] - curve[zero];
        double sign = change >= 0 ? 1 : -1;
        double worst = 0;
        for (int a = 1; a < curve.length; a++) {
            worst = Math.max(worst, -sign * (curve[a] - curve[a - 1]));
        }
        if (worst == 0) {
            return 0;
        }
        return change == 0 ? Double.POSITIVE_INFINITY : worst / Math.abs(change);
    }

    private static int index(double[] alphas, double value) {
        for (int i = 0; i < alphas.length; i++) {
            if (alphas[i] == value) {
                return i;
            }
        }
        throw new IllegalArgumentException("alphas lack " + value);
    }
}
