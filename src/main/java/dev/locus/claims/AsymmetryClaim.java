package dev.locus.claims;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.analysis.Bootstrap;
import dev.locus.analysis.Statistics;
import dev.locus.analysis.Wilcoxon;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.locus.measure.Measurement;
import dev.locus.measure.Run;
import dev.locus.model.Point;
import dev.locus.patching.Direction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * Claim 1, bidirectional asymmetry. Per layer L and pair p: F_L(p) = m(base with tuned's point L) -
 * m_B (what tuned->base transfers) and R_L(p) = m_T - m(tuned with base's point L) (what base->tuned
 * removes); f_L = mean F_L / mean G and r_L = mean R_L / mean G with bootstrap CIs. At L*: f_L* > 0
 * with its CI excluding 0; F - R non-zero by a two-sided Wilcoxon signed-rank test, Holm-corrected
 * over layers, below the threshold; |f_L* - r_L*| at least the minimum difference; a noise patch of
 * the same norm moves the base by under a set fraction of the real patch. The shuffled control is
 * reported, not asserted.
 *
 * <p>The noise control's effect on a pair is the mean of a Gaussian draw's and its mirror image's
 * (the same draw negated). Both have the same expected effect, since a Gaussian and its negation are
 * equally likely; but a patch's first-order effect on the margin changes sign with the draw and
 * cancels in the pair, leaving what a random perturbation of that size does systematically, which
 * is what the control asks about. With one draw, that first-order part is a coin flip per pair that
 * can exceed the real patch's effect many times over: on a localized fixture whose real patch moves
 * every pair by 0.42 nats, one draw moved pairs by 1.3 nats in either direction, so the mean over
 * 80 pairs had a sampling error (0.36 of the real effect) larger than the threshold it was held to.
 */
public final class AsymmetryClaim implements Claim<AsymmetryClaim.Section, AsymmetryClaim.Result> {
    public static final AsymmetryClaim UNIT = new AsymmetryClaim();
    public static final String NAME = "asymmetry";
    public static final String SENTENCE = "Bidirectional asymmetry: patching tuned activations into the base and base activations "
            + "into the tuned model, layer by layer over many pairs, moves the margin clearly more one way than the other at the peak layer";

    /** Its expectations section, {@code asymmetry:}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Section(Verdict expect, Double holmAlpha, Double minDifference, Dominance direction, Double maxNoiseFraction)
            implements Claim.Section {}

    /** Which direction must carry the larger share of the gain at L*: {@code any}, or one of the two. */
    public enum Dominance {
        ANY("any"),
        TUNED_TO_BASE("tuned->base"),
        BASE_TO_TUNED("base->tuned");

        private final String label;

        Dominance(String label) {
            this.label = label;
        }

        @JsonValue
        public String label() {
            return label;
        }

        @JsonCreator
        public static Dominance parse(String label) {
            for (Dominance d : values()) {
                if (d.label.equals(label)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("expected any, tuned->base or base->tuned, found \"" + label + "\"");
        }

        public boolean admits(Direction dominant) {
            return this == ANY || label.equals(dominant.label());
        }
    }

    /** One layer's effects in both directions, with CIs, and the paired test of their difference. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LayerEffect(int layer, double f, double fLow, double fHigh, double r, double rLow, double rHigh,
            double wilcoxonP, double holmP) {}

    /**
     * @param layers per-layer effects at the claim's site
     * @param residPost the same at {@code resid_post.L}, reported
     * @param dominantDirection the direction with the larger share of the gain at L*
     * @param noiseFraction mean(noise patch - m_B) / mean F_L*, each pair's noise patch the mean of a draw and its mirror image
     * @param noiseFractionLow lower bound of its bootstrap interval (pairs resampled)
     * @param noiseFractionHigh upper bound
     * @param shuffledFraction mean(shuffled patch - m_B) / mean F_L*: near 1 is a shared direction, near 0 pair-specific
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Result(String claim, Outcome outcome, int peakLayer, String peakChosenBy, Point.Site site,
            List<LayerEffect> layers, List<LayerEffect> residPost, Direction dominantDirection, double noiseFraction,
            double noiseFractionLow, double noiseFractionHigh, double shuffledFraction) implements ClaimResult {}

    private AsymmetryClaim() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "1. Bidirectional asymmetry";
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
    public void validate(Section a, Fields fields) {
        fields.present("expect", a.expect());
        fields.within("holm_alpha", a.holmAlpha(), 1e-12, 0.5);
        fields.within("min_difference", a.minDifference(), 0, 10);
        fields.present("direction", a.direction());
        fields.within("max_noise_fraction", a.maxNoiseFraction(), 0, 1);
    }

    @Override
    public Result evaluate(Measurement m, Run run, Section a, Gain gain) {
        Point.Site site = run.site();
        Measurement.LayerSweep sweep = m.layerSweeps().at(site);
        List<LayerEffect> layers = effects(m, sweep, run);
        List<LayerEffect> residPost = effects(m, m.layerSweeps().at(Point.Site.RESID_POST), run);
        int peak = m.peakLayer();
        LayerEffect at = layers.get(peak);
        Direction dominant = at.f() >= at.r() ? Direction.TUNED_TO_BASE : Direction.BASE_TO_TUNED;
        double[] transfer = transferred(m, sweep.tunedToBase()[peak]);
        double meanTransfer = Statistics.mean(transfer);
        Bootstrap.Interval noise = Bootstrap.ratioOfMeans(noiseEffects(m), transfer, run.bootstrapResamples(), run.confidence(),
                run.seed());
        double shuffledFraction = Statistics.mean(transferred(m, m.doseAndControls().shuffled())) / meanTransfer;

        List<Check> checks = new ArrayList<>();
        checks.add(Check.above("lower CI bound of f_L* (tuned->base share of the gain at layer " + peak + ")", at.fLow(), 0));
        checks.add(Check.below("Holm-adjusted Wilcoxon p of F - R at layer " + peak, at.holmP(), a.holmAlpha()));
        checks.add(Check.atLeast("|f_L* - r_L*|", Math.abs(at.f() - at.r()), a.minDifference()));
        if (a.direction() != Dominance.ANY) {
            boolean admitted = a.direction().admits(dominant);
            checks.add(new Check("dominant direction is " + a.direction().label() + " (found " + dominant.label() + ")",
                    admitted ? 1 : 0, "=", 1, admitted));
        }
        checks.add(Check.below(String.format(Locale.ROOT, "|noise patch effect| / real patch effect at layer %d "
                + "(a draw and its mirror image; %.0f %% CI [%.3f, %.3f])", peak, 100 * run.confidence(), noise.low(), noise.high()),
                Math.abs(noise.estimate()), a.maxNoiseFraction()));
        return new Result(NAME, Outcome.of(gain, checks, a.expect()), peak, m.peak().chosenBy(), site, layers, residPost, dominant,
                noise.estimate(), noise.low(), noise.high(), shuffledFraction);
    }

    /** Per pair, the noise control's effect: the mean of a draw's and its mirror image's patched - m_B. */
    static double[] noiseEffects(Measurement m) {
        double[] noise = m.doseAndControls().noise();
        double[] mirrored = m.doseAndControls().noiseMirrored();
        double[] out = new double[m.pairs()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (noise[i] - m.base()[i] + mirrored[i] - m.base()[i]) / 2;
        }
        return out;
    }

    /** patched - m_B per pair. */
    static double[] transferred(Measurement m, double[] patched) {
        double[] out = new double[patched.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = patched[i] - m.base()[i];
        }
        return out;
    }

    private static List<LayerEffect> effects(Measurement m, Measurement.LayerSweep sweep, Run run) {
        double[] g = m.gains();
        int layers = m.layers();
        double[][] f = new double[layers][];
        double[][] r = new double[layers][];
        double[] p = new double[layers];
        for (int l = 0; l < layers; l++) {
            f[l] = transferred(m, sweep.tunedToBase()[l]);
            r[l] = new double[m.pairs()];
            double[] difference = new double[m.pairs()];
            for (int i = 0; i < m.pairs(); i++) {
                r[l][i] = m.tuned()[i] - sweep.baseToTuned()[l][i];
                difference[i] = f[l][i] - r[l][i];
            }
            p[l] = Wilcoxon.test(difference).p();
        }
        double[] holm = Statistics.holm(p);
        List<LayerEffect> out = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            Bootstrap.Interval fi = Bootstrap.ratioOfMeans(f[l], g, run.bootstrapResamples(), run.confidence(), run.seed());
            Bootstrap.Interval ri = Bootstrap.ratioOfMeans(r[l], g, run.bootstrapResamples(), run.confidence(), run.seed());
            out.add(new LayerEffect(l, fi.estimate(), fi.low(), fi.high(), ri.estimate(), ri.low(), ri.high(), p[l], holm[l]));
        }
        return out;
    }

    /** f_L and r_L per layer with their confidence intervals as error bars. */
    @Override
    public XYChart chart(Result r) {
        XYChart chart = Plot.xy("Share of the gain per layer (" + r.site() + ", L* = " + r.peakLayer() + ")", "layer",
                "share of mean gain");
        double[] x = r.layers().stream().mapToDouble(LayerEffect::layer).toArray();
        Plot.series(chart, "f_L tuned->base", x, r.layers().stream().mapToDouble(LayerEffect::f).toArray(),
                r.layers().stream().mapToDouble(e -> (e.fHigh() - e.fLow()) / 2).toArray());
        Plot.series(chart, "r_L base->tuned", x, r.layers().stream().mapToDouble(LayerEffect::r).toArray(),
                r.layers().stream().mapToDouble(e -> (e.rHigh() - e.rLow()) / 2).toArray());
        return chart;
    }

    /** f_L and r_L per layer of this run (solid) over the baseline's (dashed), at the site of each. */
    @Override
    public XYChart chartOver(Result now, Result baseline) {
        XYChart chart = Plot.xy("Share of the gain per layer: L* = " + now.peakLayer() + " now, " + baseline.peakLayer()
                + " in the baseline", "layer", "share of mean gain");
        for (Result r : List.of(now, baseline)) {
            String who = r == now ? "" : " (baseline)";
            double[] x = r.layers().stream().mapToDouble(LayerEffect::layer).toArray();
            XYSeries f = Plot.series(chart, "f_L tuned->base" + who, x, r.layers().stream().mapToDouble(LayerEffect::f).toArray());
            XYSeries rl = Plot.series(chart, "r_L base->tuned" + who, x, r.layers().stream().mapToDouble(LayerEffect::r).toArray());
            if (r != now) {
                Plot.dashed(f, rl);
            }
        }
        return chart;
    }

    @Override
    public String howToRead(Result r, Run run, Section a, Measurement m) {
        return "Each layer's " + (run.site() == Point.Site.RESID_POST ? "residual stream after the block (resid_post.L)"
                : "block output (block_out.L)") + " swapped in one direction at a time. f_L (blue) is the share of the tuned "
                + "model's gain that the tuned activations carry into the base; r_L (orange) the share the tuned model loses "
                + "when its activations are replaced by the base's. Bars are " + Plot.percent(run.confidence()) + " bootstrap "
                + "intervals over pairs (" + run.bootstrapResamples() + " resamples). A localized preference shows one layer far "
                + "from zero in at least one direction, and the two directions apart.";
    }

    /**
     * The peak layer moving by more than {@code max_peak_shift} layers; the share of the gain at the
     * baseline's L* dropping by more than {@code max_share_drop} with the two intervals apart.
     */
    @Override
    public List<Drift> drift(Result a0, Result a1, Expectations.Regression rules) {
        int shift = Math.abs(a1.peakLayer() - a0.peakLayer());
        Drift peak = new Drift("peak layer L* (" + a1.peakChosenBy() + ")", String.valueOf(a0.peakLayer()),
                String.valueOf(a1.peakLayer()), "moves by at most max_peak_shift = " + rules.maxPeakShift()
                        + (shift > 0 ? "; moved by " + shift : ""), shift > rules.maxPeakShift());
        LayerEffect before = a0.layers().get(a0.peakLayer());
        LayerEffect after = a1.layers().get(a0.peakLayer());
        double drop = before.f() - after.f();
        boolean apart = after.fHigh() < before.fLow();
        Drift share = new Drift("share of the gain f_L at the baseline's L* = " + a0.peakLayer() + " (" + a0.site().label() + ")",
                share(before), share(after), String.format(Locale.ROOT, "drops by at most max_share_drop = %s, or the intervals "
                        + "overlap; dropped by %.3f, intervals %s", rules.maxShareDrop(), drop, apart ? "apart" : "overlap"),
                drop > rules.maxShareDrop() && apart);
        return List.of(peak, share);
    }

    private static String share(LayerEffect e) {
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", e.f(), e.fLow(), e.fHigh());
    }

    @Override
    public String csv(Result r) {
        StringBuilder csv = new StringBuilder("site,layer,f,f_low,f_high,r,r_low,r_high,wilcoxon_p,holm_p\n");
        for (Point.Site site : List.of(r.site(), Point.Site.RESID_POST).stream().distinct().toList()) {
            for (LayerEffect e : site == r.site() ? r.layers() : r.residPost()) {
                csv.append(String.join(",", site.label(), String.valueOf(e.layer()), String.valueOf(e.f()), String.valueOf(e.fLow()),
                        String.valueOf(e.fHigh()), String.valueOf(e.r()), String.valueOf(e.rLow()), String.valueOf(e.rHigh()),
                        String.valueOf(e.wilcoxonP()), String.valueOf(e.holmP()))).append('\n');
            }
        }
        return csv.toString();
    }
}
