package dev.locus.claims;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.analysis.Bootstrap;
import dev.locus.analysis.Statistics;
import dev.locus.analysis.Wilcoxon;
import dev.locus.measure.Measurement;
import dev.locus.measure.Run;
import dev.locus.model.Point;
import dev.locus.patching.Direction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
public final class AsymmetryClaim {
    public static final String NAME = "asymmetry";
    public static final String SENTENCE = "Bidirectional asymmetry: patching tuned activations into the base and base activations "
            + "into the tuned model, layer by layer over many pairs, moves the margin clearly more one way than the other at the peak layer";

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

    public static Result evaluate(Measurement m, Expectations e, Gain gain) {
        Run run = e.run();
        Expectations.Asymmetry a = e.asymmetry();
        Point.Site site = run.site();
        List<LayerEffect> layers = effects(m, m.sweep(site), run);
        List<LayerEffect> residPost = effects(m, m.sweep(Point.Site.RESID_POST), run);
        int peak = m.peakLayer();
        LayerEffect at = layers.get(peak);
        Direction dominant = at.f() >= at.r() ? Direction.TUNED_TO_BASE : Direction.BASE_TO_TUNED;
        double[] transfer = transferred(m, m.sweep(site).tunedToBase()[peak]);
        double meanTransfer = Statistics.mean(transfer);
        Bootstrap.Interval noise = Bootstrap.ratioOfMeans(noiseEffects(m), transfer, run.bootstrapResamples(), run.confidence(),
                run.seed());
        double shuffledFraction = Statistics.mean(transferred(m, m.shuffled())) / meanTransfer;

        List<Check> checks = new ArrayList<>();
        checks.add(Check.above("lower CI bound of f_L* (tuned->base share of the gain at layer " + peak + ")", at.fLow(), 0));
        checks.add(Check.below("Holm-adjusted Wilcoxon p of F - R at layer " + peak, at.holmP(), a.holmAlpha()));
        checks.add(Check.atLeast("|f_L* - r_L*|", Math.abs(at.f() - at.r()), a.minDifference()));
        if (a.direction() != Expectations.Dominance.ANY) {
            boolean admitted = a.direction().admits(dominant);
            checks.add(new Check("dominant direction is " + a.direction().label() + " (found " + dominant.label() + ")",
                    admitted ? 1 : 0, "=", 1, admitted));
        }
        checks.add(Check.below(String.format(Locale.ROOT, "|noise patch effect| / real patch effect at layer %d "
                + "(a draw and its mirror image; %.0f %% CI [%.3f, %.3f])", peak, 100 * run.confidence(), noise.low(), noise.high()),
                Math.abs(noise.estimate()), a.maxNoiseFraction()));
        return new Result(NAME, Outcome.of(gain, checks, a.expect()), peak, m.peakChosenBy(), site, layers, residPost, dominant,
                noise.estimate(), noise.low(), noise.high(), shuffledFraction);
    }

    /** Per pair, the noise control's effect: the mean of a draw's and its mirror image's patched - m_B. */
    static double[] noiseEffects(Measurement m) {
        double[] out = new double[m.pairs()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (m.noise()[i] - m.base()[i] + m.noiseMirrored()[i] - m.base()[i]) / 2;
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
}
