package dev.locus.claims;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.locus.measure.Measurement;
import java.nio.file.Path;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The rules of the claims, stated as laws on hand-made measurements (no model runs): what must
 * hold of any measurement, whatever its numbers.
 */
class ClaimLawsTest {
    private static final Expectations EXPECTATIONS = Expectations.read(Path.of("expectations/fixture-localized.yaml"));

    /** A curve that never steps back, up or down, passes the step rule at any threshold. */
    @Property
    void aCurveThatNeverStepsBackPassesTheStepRule(@ForAll("steps") double[] steps, @ForAll boolean falling) {
        double[] curve = new double[steps.length + 1];
        for (int i = 0; i < steps.length; i++) {
            curve[i + 1] = curve[i] + (falling ? -steps[i] : steps[i]);
        }
        int zero = 0;
        int one = curve.length - 1;
        assertThat(DoseResponseClaim.largestStepBack(curve, zero, one)).isZero();
        double[] back = curve.clone();
        back[1] = back[1] + (falling ? 1 : -1) * (1 + Math.abs(curve[one] - curve[zero]));
        assertThat(DoseResponseClaim.largestStepBack(back, zero, one)).as("a curve that does step back").isPositive();
    }

    @Provide
    Arbitrary<double[]> steps() {
        return Arbitraries.doubles().between(0, 10).array(double[].class).ofMinSize(2).ofMaxSize(20);
    }

    /**
     * Every claim's verdict is a statement about ratios and ranks of margins: scaling every margin
     * by a power of two (exact in binary floating point, so the law is tested without rounding)
     * changes no verdict and no check. The precondition's floor is the one number in nats, so the
     * law is stated without it.
     */
    @Property(tries = 40)
    void scalingEveryMarginByAPositiveFactorLeavesEveryVerdictUnchanged(@ForAll("measurements") Measurement m,
            @ForAll @IntRange(min = -12, max = 12) int exponent) {
        double c = Math.scalb(1.0, exponent);
        Expectations noFloor = withFloor(0);
        Claims before = Claims.evaluate(m, noFloor);
        Claims after = Claims.evaluate(scaled(m, c), noFloor);
        for (int i = 0; i < before.all().size(); i++) {
            Outcome a = before.all().get(i).outcome();
            Outcome b = after.all().get(i).outcome();
            assertThat(b.verdict()).as(before.all().get(i).claim()).isEqualTo(a.verdict());
            assertThat(b.checks().stream().map(Check::passed).toList()).as(before.all().get(i).claim() + " checks")
                    .isEqualTo(a.checks().stream().map(Check::passed).toList());
        }
        assertThat(after.gain().holds()).isEqualTo(before.gain().holds());
    }

    /** L* is the layer whose tuned->base patch carries the largest share of the gain. */
    @Property(tries = 100)
    void theArgmaxLayerIsThePeak(@ForAll("measurements") Measurement m) {
        AsymmetryClaim.Result r = Claims.evaluate(m, EXPECTATIONS).of(AsymmetryClaim.UNIT);
        double best = r.layers().stream().mapToDouble(AsymmetryClaim.LayerEffect::f).max().orElseThrow();
        assertThat(r.peakLayer()).isEqualTo(m.peakLayer());
        assertThat(r.layers().get(r.peakLayer()).f()).isGreaterThanOrEqualTo(best - 1e-12 * Math.abs(best));
    }

    /**
     * The noise control asks what a random patch of the real one's size does systematically. A
     * per-pair effect that flips sign with the Gaussian (a draw's first-order effect) cancels
     * between a draw and its mirror image, however large it is: it changes neither the noise
     * fraction nor the noise check.
     */
    @Property(tries = 50)
    void aDrawsFirstOrderEffectCancelsAgainstItsMirrorImage(@ForAll("measurements") Measurement m, @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 6) int exponent) {
        Random random = new Random(seed);
        double size = Math.scalb(1.0, exponent);
        double[] noise = m.doseAndControls().noise().clone();
        double[] mirrored = m.doseAndControls().noiseMirrored().clone();
        for (int i = 0; i < noise.length; i++) {
            double firstOrder = size * random.nextGaussian();
            noise[i] += firstOrder;
            mirrored[i] -= firstOrder;
        }
        AsymmetryClaim.Result before = Claims.evaluate(m, EXPECTATIONS).of(AsymmetryClaim.UNIT);
        AsymmetryClaim.Result after = Claims.evaluate(withNoise(m, noise, mirrored), EXPECTATIONS).of(AsymmetryClaim.UNIT);
        assertThat(after.noiseFraction()).isCloseTo(before.noiseFraction(), within(1e-9 * size * (1 + Math.abs(before.noiseFraction()))));
        assertThat(noiseCheck(after).passed()).isEqualTo(noiseCheck(before).passed());
    }

    /** A random patch that moves every pair as the real patch does, in both its draws, fails the noise check. */
    @Property(tries = 30)
    void aRandomPatchThatTransfersTheGainFailsTheNoiseCheck(@ForAll("measurements") Measurement m) {
        double[] real = m.layerSweeps().at(EXPECTATIONS.run().site()).tunedToBase()[m.peakLayer()];
        AsymmetryClaim.Result r = Claims.evaluate(withNoise(m, real.clone(), real.clone()), EXPECTATIONS).of(AsymmetryClaim.UNIT);
        assertThat(r.noiseFraction()).isCloseTo(1.0, within(1e-9));
        assertThat(noiseCheck(r).passed()).isFalse();
    }

    private static Check noiseCheck(AsymmetryClaim.Result r) {
        return r.outcome().checks().stream().filter(c -> c.what().startsWith("|noise patch effect|")).findFirst().orElseThrow();
    }

    private static Measurement withNoise(Measurement m, double[] noise, double[] mirrored) {
        Measurement.DoseAndControls d = m.doseAndControls();
        return HandMade.withControls(m, new Measurement.DoseAndControls(d.dose(), noise, mirrored, d.shuffled()));
    }

    /**
     * A gain below the floor is none, however significant: the same measurement's margins shrunk
     * until the mean gain is under the floor fail every claim on the precondition, with the CI still
     * above zero; at the floor's size and over it, the precondition is the CI's alone.
     */
    @Property(tries = 30)
    void aSignificantGainBelowTheFloorFailsThePrecondition(@ForAll("measurements") Measurement m) {
        Expectations e = withFloor(Expectations.Precondition.DEFAULTS.minGain());
        Gain full = Claims.evaluate(m, e).gain();
        double shrink = 0.5 * e.precondition().minGain() / Math.abs(full.mean());
        Claims shrunk = Claims.evaluate(scaled(m, shrink), e);
        assertThat(shrunk.gain().mean()).isLessThan(e.precondition().minGain());
        assertThat(shrunk.gain().low() > 0).isEqualTo(full.low() > 0);
        assertThat(shrunk.gain().holds()).isFalse();
        for (ClaimResult r : shrunk.all()) {
            assertThat(r.outcome().verdict()).as(r.claim()).isEqualTo(Verdict.FAILS);
            assertThat(r.outcome().reason()).as(r.claim()).startsWith("precondition fails");
        }
        if (full.mean() > 0 && full.low() > 0) {
            assertThat(shrunk.gain().sentence()).contains("below the " + e.precondition().minGain() + " nats a preference must reach");
            assertThat(Claims.evaluate(scaled(m, 2 * e.precondition().minGain() / full.mean()), e).gain().holds()).isTrue();
        }
    }

    private static Expectations withFloor(double minGain) {
        Expectations e = EXPECTATIONS;
        return new Expectations(e.name(), e.description(), e.run(), new Expectations.Precondition(minGain), e.sections(),
                e.regression(), e.truth());
    }

    /** Without a gain there is nothing to localize: every claim fails on the precondition, whatever else was measured. */
    @Property(tries = 30)
    void aConstantZeroGainFailsThePrecondition(@ForAll("measurements") Measurement m) {
        Measurement.LayerSweeps s = m.layerSweeps();
        Measurement noGain = HandMade.withLayerSweeps(m, new Measurement.LayerSweeps(s.base(), s.base().clone(), s.sites(),
                s.distances()));
        Claims claims = Claims.evaluate(noGain, EXPECTATIONS);
        assertThat(claims.gain().holds()).isFalse();
        for (ClaimResult r : claims.all()) {
            assertThat(r.outcome().verdict()).as(r.claim()).isEqualTo(Verdict.FAILS);
            assertThat(r.outcome().reason()).as(r.claim()).startsWith("precondition fails");
        }
    }

    @Provide
    Arbitrary<Measurement> measurements() {
        return Arbitraries.longs().map(seed -> HandMade.measurement(new Random(seed), EXPECTATIONS));
    }

    /** Every margin times {@code c}; the activation distances are not margins and stay. */
    private static Measurement scaled(Measurement m, double c) {
        return HandMade.mapMargins(m, (pair, margin) -> margin * c, (held, margin) -> margin * c);
    }
}
