package dev.locus.claims;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.analysis.Spearman;
import dev.locus.analysis.Statistics;
import dev.locus.measure.Measurement;
import dev.locus.measure.Protocol;
import dev.locus.measure.Run;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;

/**
 * Claim 2, monotone dose-response. At L*, tuned->base interpolation with weight alpha: the mean
 * margin M(alpha) never steps against the direction of M(1) - M(0) by more than a set share of
 * |M(1) - M(0)|; Spearman's rho of (alpha, M), signed by that direction, is at least a minimum; and
 * enough pairs are monotone by the same rule on their own margins.
 */
public final class DoseResponseClaim implements Claim<DoseResponseClaim.Section, DoseResponseClaim.Result> {
    public static final DoseResponseClaim UNIT = new DoseResponseClaim();
    public static final String NAME = "dose_response";
    public static final String SENTENCE = "Monotone dose-response: alpha-interpolating the peak layer from the base's activations to "
            + "the tuned model's moves the margin monotonically";

    /** Its expectations section, {@code dose_response:}; {@code alphas} is the grid measured at L*. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Section(Verdict expect, List<Double> alphas, Double maxStepDown, Double minSpearman, Double minMonotonePairs)
            implements Claim.Section {}

    /**
     * @param meanMargins M(alpha) per alpha
     * @param largestStepBack the largest step against the direction, as a share of |M(1) - M(0)|
     * @param monotonePairs the share of pairs monotone by the same rule
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Result(String claim, Outcome outcome, int peakLayer, double[] alphas, double[] meanMargins, double largestStepBack,
            double spearmanRho, double spearmanP, double monotonePairs) implements ClaimResult {}

    private DoseResponseClaim() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "2. Monotone dose-response";
    }

    @Override
    public String sentence() {
        return SENTENCE;
    }

    @Override
    public Class<Section> sectionType() {
        return Section.class;
    }

    @Override
    public Class<Result> resultType() {
        return Result.class;
    }

    @Override
    public void validate(Section d, Fields fields) {
        fields.present("expect", d.expect());
        List<Double> alphas = fields.present("alphas", d.alphas());
        if (alphas.size() < 3 || !alphas.contains(0.0) || !alphas.contains(1.0)) {
            fields.fail("alphas", "needs at least 3 values including 0 and 1, found " + alphas);
        }
        for (int i = 1; i < alphas.size(); i++) {
            if (!(alphas.get(i) > alphas.get(i - 1))) {
                fields.fail("alphas", "must increase, found " + alphas);
            }
        }
        fields.within("max_step_down", d.maxStepDown(), 0, 1);
        fields.within("min_spearman", d.minSpearman(), -1, 1);
        fields.within("min_monotone_pairs", d.minMonotonePairs(), 0, 1);
    }

    @Override
    public Protocol measuring(Section d, Protocol protocol) {
        return protocol.withDoseAlphas(d.alphas());
    }

    @Override
    public Result evaluate(Measurement m, Run run, Section d, Gain gain) {
        List<Measurement.Dose> dose = m.doseAndControls().dose();
        double[] alphas = m.doseAndControls().alphas();
        double[] mean = new double[alphas.length];
        for (int a = 0; a < alphas.length; a++) {
            mean[a] = Statistics.mean(dose.get(a).margins());
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
                pair[a] = dose.get(a).margins()[i];
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
        throw new IllegalStateException("the measured alphas lack " + value);
    }

    /** Mean margin against alpha at L*. */
    @Override
    public XYChart chart(Result r) {
        XYChart chart = Plot.xy("Dose-response at layer " + r.peakLayer(), "alpha (tuned->base interpolation)", "mean margin");
        Plot.series(chart, "M(alpha)", r.alphas(), r.meanMargins());
        return chart;
    }

    /** Mean margin against alpha, this run over the baseline. */
    @Override
    public XYChart chartOver(Result now, Result baseline) {
        XYChart chart = Plot.xy("Dose-response at L* = " + now.peakLayer() + " (baseline: L* = " + baseline.peakLayer() + ")",
                "alpha (tuned->base interpolation)", "mean margin");
        Plot.series(chart, "M(alpha)", now.alphas(), now.meanMargins());
        Plot.dashed(Plot.series(chart, "M(alpha) (baseline)", baseline.alphas(), baseline.meanMargins()));
        return chart;
    }

    @Override
    public String howToRead(Result r, Run run, Section d, Measurement m) {
        return "The base model's mean margin as the peak layer's activations are moved from the base's (alpha = 0) to the "
                + "tuned model's (alpha = 1) and beyond. The claim needs a curve that never steps back by more than "
                + Plot.percent(d.maxStepDown()) + " of |M(1) - M(0)|, a rank correlation of at least " + d.minSpearman()
                + ", and at least " + Plot.percent(d.minMonotonePairs()) + " of pairs monotone on their own.";
    }

    /** Only its verdict: the curve's shape is what the verdict judges. */
    @Override
    public List<Drift> drift(Result baseline, Result now, Expectations.Regression rules) {
        return List.of();
    }

    @Override
    public String csv(Result r) {
        StringBuilder csv = new StringBuilder("alpha,mean_margin\n");
        for (int a = 0; a < r.alphas().length; a++) {
            csv.append(r.alphas()[a]).append(',').append(r.meanMargins()[a]).append('\n');
        }
        return csv.toString();
    }
}
