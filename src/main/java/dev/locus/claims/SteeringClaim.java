package dev.locus.claims;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.analysis.Bootstrap;
import dev.locus.analysis.Statistics;
import dev.locus.analysis.Wilcoxon;
import dev.locus.measure.Measurement;
import dev.locus.measure.Protocol;
import dev.locus.measure.Run;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * Claim 5, the paper's next step ("creating steering vectors specifically for an individual
 * layer"): the mean tuned-minus-base difference of the fit pairs at L* (the difference-of-means
 * vector), added to the base at L* with weight c, moves the held-out pairs' margins toward the tuned
 * model's. For each c of the grid: the mean gain over the base as a share of the tuned-minus-base
 * gain, the same with random directions of the vector's norm, and how far the chosen and rejected
 * completions' mean per-token log-probs fall (the fluency guard: a vector that wins by wrecking the
 * model does not count). The best c is the one with the largest gain among those within the guard.
 * The claim: at the best c the share reaches the threshold, its bootstrap interval excludes 0, it
 * beats the random directions (paired Wilcoxon test), and the gain grows with c up to it. The
 * vector projected on the top-k directions there is measured and reported beside it.
 */
public final class SteeringClaim implements Claim<SteeringClaim.Section, SteeringClaim.Result> {
    public static final SteeringClaim UNIT = new SteeringClaim();
    public static final String NAME = "steering";
    public static final String SENTENCE = "Steering: the mean tuned-minus-base difference at the peak layer, added to the base "
            + "model, moves its preference toward the tuned model's on held-out pairs without wrecking its fluency";

    /**
     * Its expectations section, {@code steering:}; optional: without it the claim is measured with
     * {@link Protocol#DEFAULT_STEERING} and these defaults, reported, not asserted.
     *
     * @param scales the weights c, positive and increasing
     * @param rank k of the projected vector, reported
     * @param minShare the steered gain's least share of the tuned-minus-base gain at the best c
     * @param maxFluencyDrop the most the chosen or the rejected completions' mean log-prob may fall, nats per token
     * @param randomAlpha the paired Wilcoxon test's threshold, steered against random directions
     * @param maxStepDown the largest step back of the gain on the way to the best c, as a share of the gain there
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Section(Verdict expect, List<Double> scales, Integer randomDraws, Integer rank, Double minShare, Double maxFluencyDrop,
            Double randomAlpha, Double maxStepDown) implements Claim.Section {}

    /**
     * One weight c on the held-out pairs.
     *
     * @param share mean steered gain / mean (m_T - m_B)
     * @param gainLow lower bound of the mean steered gain's bootstrap interval
     * @param gainHigh its upper bound
     * @param randomShare the same share for random directions of the vector's norm, mean over draws
     * @param projectedShare the same share for the vector projected on the top-k directions
     * @param chosenDrop how far the chosen completions' mean per-token log-prob falls, mean over pairs
     * @param rejectedDrop the same for the rejected completions
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ScalePoint(double scale, double share, double gain, double gainLow, double gainHigh, double randomShare,
            double projectedShare, double chosenDrop, double rejectedDrop, boolean withinGuard) {}

    /**
     * @param bestScale the best c within the guard, null when none is
     * @param vectorNorm ||mean difference||
     * @param projectedNorm ||its projection on the top-k directions||
     * @param wilcoxonP the paired test of steered against random gains at the best c (NaN without one)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Result(String claim, Outcome outcome, int peakLayer, int heldOutPairs, int rank, double vectorNorm, double projectedNorm,
            List<ScalePoint> curve, Double bestScale, double wilcoxonP) implements ClaimResult {}

    private SteeringClaim() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "5. Steering at the peak layer";
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
    public Section absentSection() {
        Protocol.Steering d = Protocol.DEFAULT_STEERING;
        return new Section(null, d.scales(), d.randomDraws(), d.rank(), 0.75, 0.5, 0.01, 0.05);
    }

    @Override
    public void validate(Section s, Fields fields) {
        List<Double> scales = fields.present("scales", s.scales());
        if (scales.isEmpty() || !(scales.get(0) > 0)) {
            fields.fail("scales", "needs weights c > 0 (c = 0 is the base itself), found " + scales);
        }
        for (int i = 1; i < scales.size(); i++) {
            if (!(scales.get(i) > scales.get(i - 1))) {
                fields.fail("scales", "must increase, found " + scales);
            }
        }
        fields.within("random_draws", s.randomDraws(), 1, 100);
        fields.within("rank", s.rank(), 1, 1_000_000);
        fields.within("min_share", s.minShare(), 0, 10);
        fields.within("max_fluency_drop", s.maxFluencyDrop(), 0, 100);
        fields.within("random_alpha", s.randomAlpha(), 1e-12, 0.5);
        fields.within("max_step_down", s.maxStepDown(), 0, 1);
    }

    @Override
    public Protocol measuring(Section s, Protocol protocol) {
        return protocol.withSteering(new Protocol.Steering(s.scales(), s.randomDraws(), s.rank()));
    }

    @Override
    public Result evaluate(Measurement m, Run run, Section s, Gain gain) {
        Measurement.Steering st = m.steering();
        int[] held = m.heldOutIndices();
        double[] base = new double[held.length];
        double[] tunedGain = new double[held.length];
        for (int h = 0; h < held.length; h++) {
            base[h] = m.base()[held[h]];
            tunedGain[h] = m.tuned()[held[h]] - base[h];
        }
        double denominator = Statistics.mean(tunedGain);
        List<ScalePoint> curve = new ArrayList<>();
        List<double[]> advantages = new ArrayList<>();
        for (Measurement.Steered c : st.scales()) {
            double[] steered = minus(c.meanDifference(), base);
            double[] advantage = new double[held.length];
            for (int h = 0; h < held.length; h++) {
                double random = 0;
                for (double[] draw : c.randomDirections()) {
                    random += (draw[h] - base[h]) / c.randomDirections().size();
                }
                advantage[h] = steered[h] - random;
            }
            advantages.add(advantage);
            Bootstrap.Interval ci = Bootstrap.mean(steered, run.bootstrapResamples(), run.confidence(), run.seed());
            double chosenDrop = meanDrop(st.baseCompletionMeans(), c.completionMeans(), 0);
            double rejectedDrop = meanDrop(st.baseCompletionMeans(), c.completionMeans(), 1);
            curve.add(new ScalePoint(c.scale(), ci.estimate() / denominator, ci.estimate(), ci.low(), ci.high(),
                    (ci.estimate() - Statistics.mean(advantage)) / denominator, Statistics.mean(minus(c.projected(), base)) / denominator,
                    chosenDrop, rejectedDrop, Math.max(chosenDrop, rejectedDrop) <= s.maxFluencyDrop()));
        }
        int best = -1;
        for (int i = 0; i < curve.size(); i++) {
            if (curve.get(i).withinGuard() && (best < 0 || curve.get(i).gain() > curve.get(best).gain())) {
                best = i;
            }
        }
        List<Check> checks = new ArrayList<>();
        double p = Double.NaN;
        if (best < 0) {
            checks.add(Check.atLeast("weights c within the fluency guard (max_fluency_drop = " + s.maxFluencyDrop() + " nats per token)",
                    0, 1));
        } else {
            ScalePoint at = curve.get(best);
            String where = String.format(Locale.ROOT, " at the best c = %s", at.scale());
            p = Wilcoxon.test(advantages.get(best)).p();
            checks.add(Check.atLeast("steered share of the tuned-minus-base gain" + where, at.share(), s.minShare()));
            checks.add(Check.above(String.format(Locale.ROOT, "lower CI bound of the steered gain%s (%.0f %% CI)", where,
                    100 * run.confidence()), at.gainLow(), 0));
            checks.add(Check.above("mean steered gain over random directions of its norm" + where, at.gain() - at.randomShare() * denominator,
                    0));
            checks.add(Check.below("Wilcoxon p of steered against random gains" + where, p, s.randomAlpha()));
            checks.add(Check.atMost("largest step back of the gain on the way to c = " + at.scale() + ", share of the gain there",
                    largestStepBack(curve, best), s.maxStepDown()));
            checks.add(Check.atMost("largest fall of a completion's mean log-prob" + where + " (nats per token)",
                    Math.max(at.chosenDrop(), at.rejectedDrop()), s.maxFluencyDrop()));
        }
        return new Result(NAME, Outcome.of(gain, checks, s.expect()), m.peakLayer(), held.length, st.rank(), norm(st.meanDifference()),
                norm(st.projected()), curve, best < 0 ? null : curve.get(best).scale(), p);
    }

    /** The largest step down of the mean gain from c = 0 (no gain) to the best c, as a share of the gain there. */
    static double largestStepBack(List<ScalePoint> curve, int best) {
        double previous = 0;
        double worst = 0;
        for (int i = 0; i <= best; i++) {
            worst = Math.max(worst, previous - curve.get(i).gain());
            previous = curve.get(i).gain();
        }
        double top = curve.get(best).gain();
        if (worst == 0) {
            return 0;
        }
        return top > 0 ? worst / top : Double.POSITIVE_INFINITY;
    }

    private static double[] minus(double[] patched, double[] base) {
        double[] out = new double[patched.length];
        for (int h = 0; h < out.length; h++) {
            out[h] = patched[h] - base[h];
        }
        return out;
    }

    private static double meanDrop(double[][] base, double[][] steered, int completion) {
        double s = 0;
        for (int h = 0; h < base.length; h++) {
            s += base[h][completion] - steered[h][completion];
        }
        return s / base.length;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    /** Shares of the gain against c: the vector, its projection, random directions, and the fluency drops. */
    @Override
    public XYChart chart(Result r) {
        XYChart chart = Plot.xy("Steering at layer " + r.peakLayer() + " (held-out pairs; best c = " + r.bestScale() + ")",
                "weight c", "share of the gain / nats per token");
        addCurves(chart, r, "");
        return chart;
    }

    @Override
    public XYChart chartOver(Result now, Result baseline) {
        XYChart chart = Plot.xy("Steering: best c = " + now.bestScale() + " now, " + baseline.bestScale() + " in the baseline",
                "weight c", "share of the gain");
        addCurves(chart, now, "");
        for (XYSeries s : addCurves(chart, baseline, " (baseline)")) {
            Plot.dashed(s);
        }
        return chart;
    }

    private static List<XYSeries> addCurves(XYChart chart, Result r, String who) {
        double[] c = r.curve().stream().mapToDouble(ScalePoint::scale).toArray();
        List<XYSeries> out = new ArrayList<>();
        out.add(Plot.series(chart, "mean difference" + who, c, r.curve().stream().mapToDouble(ScalePoint::share).toArray()));
        out.add(Plot.series(chart, "projected on top-" + r.rank() + who, c,
                r.curve().stream().mapToDouble(ScalePoint::projectedShare).toArray()));
        out.add(Plot.series(chart, "random directions" + who, c, r.curve().stream().mapToDouble(ScalePoint::randomShare).toArray()));
        if (who.isEmpty()) {
            out.add(Plot.series(chart, "fluency drop, worse completion (nats/token)", c,
                    r.curve().stream().mapToDouble(p -> Math.max(p.chosenDrop(), p.rejectedDrop())).toArray()));
        }
        return out;
    }

    @Override
    public String howToRead(Result r, Run run, Section s, Measurement m) {
        return "The base model with c times the mean tuned-minus-base difference at layer " + r.peakLayer() + " added at every patched "
                + "position (||v|| = " + String.format(Locale.ROOT, "%.4g", r.vectorNorm()) + ", fitted on the fit pairs), on the "
                + r.heldOutPairs() + " held-out pairs: the margin gain over the base as a share of the tuned model's gain (blue), the "
                + "same vector projected on the top-" + r.rank() + " directions of the difference, and random directions of the same "
                + "norm (" + s.randomDraws() + " draws) as the control. The fluency guard: a c at which the chosen or the rejected "
                + "completions' mean log-prob falls by more than " + s.maxFluencyDrop() + " nats per token does not count. The claim "
                + "reads the best c within the guard: a share of at least " + Plot.percent(s.minShare()) + ", above the random "
                + "directions, and a gain that grows with c up to it.";
    }

    /**
     * The steered share at the baseline's best c, up to the whole gain (a share beyond 1 is
     * amplification, not more of the preference), dropping by more than {@code max_share_drop}.
     */
    @Override
    public List<Drift> drift(Result baseline, Result now, Expectations.Regression rules) {
        if (baseline.bestScale() == null) {
            return List.of(new Drift("steered share at the baseline's best c", "none within the guard", share(now, null),
                    "reported: the baseline had no c within the guard", false));
        }
        double before = Math.min(1, at(baseline, baseline.bestScale()));
        double after = Math.min(1, at(now, baseline.bestScale()));
        return List.of(new Drift("steered share at the baseline's best c = " + baseline.bestScale(), share(baseline, baseline.bestScale()),
                share(now, baseline.bestScale()), "up to 1, drops by at most max_share_drop = " + rules.maxShareDrop(),
                !(before - after <= rules.maxShareDrop())));
    }

    private static double at(Result r, double scale) {
        return r.curve().stream().filter(p -> p.scale() == scale).mapToDouble(ScalePoint::share).findFirst().orElse(Double.NaN);
    }

    private static String share(Result r, Double scale) {
        return scale == null ? "none" : String.format(Locale.ROOT, "%.3f", at(r, scale));
    }

    @Override
    public String csv(Result r) {
        StringBuilder csv = new StringBuilder("c,share,gain,gain_low,gain_high,random_share,projected_share,chosen_drop,rejected_drop,"
                + "within_guard\n");
        for (ScalePoint p : r.curve()) {
            csv.append(p.scale()).append(',').append(p.share()).append(',').append(p.gain()).append(',').append(p.gainLow()).append(',')
                    .append(p.gainHigh()).append(',').append(p.randomShare()).append(',').append(p.projectedShare()).append(',')
                    .append(p.chosenDrop()).append(',').append(p.rejectedDrop()).append(',').append(p.withinGuard()).append('\n');
        }
        return csv.toString();
    }
}
