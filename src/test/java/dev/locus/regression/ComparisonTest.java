package dev.locus.regression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locus.LocusException;
import dev.locus.Provenance;
import dev.locus.TestFixtures;
import dev.locus.claims.AsymmetryClaim;
import dev.locus.claims.ClaimResult;
import dev.locus.claims.Claims;
import dev.locus.claims.Expectations;
import dev.locus.claims.HandMade;
import dev.locus.claims.Outcome;
import dev.locus.claims.Results;
import dev.locus.claims.Verdict;
import dev.locus.measure.Measurement;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The regression rules on hand-made runs: each rule breaks where it should and nowhere else. */
class ComparisonTest {
    private static final Expectations EXPECTATIONS = Expectations.read(Path.of("expectations/fixture-localized.yaml"));
    private static final Path BASELINE = Path.of("baseline/results.json");

    private static Results run(Measurement m, Expectations e, long seed) {
        Provenance p = Provenance.of("test").seed(seed).file("pairs", TestFixtures.SHIPPED_PAIRS).build();
        return Results.of("test", p, m, e);
    }

    private static Measurement withPeak(Measurement m, int peak) {
        return HandMade.withPeak(m, peak);
    }

    private static Measurement measurement(long seed) {
        return HandMade.measurement(new Random(seed), EXPECTATIONS);
    }

    @Test
    void aRunComparedWithItselfHasNoRegression() {
        Results r = run(measurement(1), EXPECTATIONS, 1);
        Comparison c = Comparison.of(BASELINE, "abc", r, r);
        assertThat(c.regressed()).isFalse();
        assertThat(c.drift()).hasSizeGreaterThanOrEqualTo(8).allSatisfy(d -> assertThat(d.regression()).as(d.sentence()).isFalse());
        assertThat(c.table()).contains("peak layer", "baseline", "this run");
    }

    @Test
    void aPeakMovedByMoreThanTheShiftIsNamedWithBothValues() {
        Measurement m = measurement(2);
        int from = 0;
        Results baseline = run(withPeak(m, from), EXPECTATIONS, 1);
        Comparison byOne = Comparison.of(BASELINE, "abc", baseline, run(withPeak(m, from + 1), EXPECTATIONS, 1));
        assertThat(byOne.regressions()).noneSatisfy(d -> assertThat(d.what()).startsWith("peak layer"));
        Comparison byTwo = Comparison.of(BASELINE, "abc", baseline, run(withPeak(m, from + 2), EXPECTATIONS, 1));
        assertThat(byTwo.regressions()).anySatisfy(d -> {
            assertThat(d.what()).startsWith("peak layer");
            assertThat(d.baseline()).isEqualTo("0");
            assertThat(d.now()).isEqualTo("2");
            assertThat(d.rule()).contains("max_peak_shift = 1", "moved by 2");
        });
    }

    @Test
    void aClaimThatHeldAndNowFailsIsARegressionAndTheOtherWayIsNot() {
        Results r = run(measurement(3), EXPECTATIONS, 1);
        Results held = withAsymmetryVerdict(r, Verdict.HOLDS);
        Results fails = withAsymmetryVerdict(r, Verdict.FAILS);
        assertThat(Comparison.of(BASELINE, "abc", held, fails).regressions())
                .anySatisfy(d -> assertThat(d.sentence()).isEqualTo("asymmetry verdict: holds -> fails (a claim that held still holds)"));
        assertThat(Comparison.of(BASELINE, "abc", fails, held).regressed()).isFalse();
    }

    @Test
    void runsOnOtherPairsSeedOrExpectationsAreRefusedNamingWhatDiffers() {
        Measurement m = measurement(4);
        Results baseline = run(m, EXPECTATIONS, 1);
        LocusException seed = assertThrows(LocusException.class, () -> Comparison.of(BASELINE, "abc", baseline, run(m, EXPECTATIONS, 2)));
        assertThat(seed.getMessage()).contains(BASELINE.toString(), "seed: baseline 1, this run 2");
        Expectations stricter = Expectations.read(Path.of("expectations/llama-3.2-1b.yaml"));
        LocusException expectations = assertThrows(LocusException.class,
                () -> Comparison.of(BASELINE, "abc", baseline, run(m, stricter, 1)));
        assertThat(expectations.getMessage()).contains("expectations differ in name", "truth");
        Measurement.Sample sample = m.sample();
        Measurement others = HandMade.withSample(m, new Measurement.Sample(sample.ids().stream().map(id -> "other-" + id).toList(),
                sample.heldOut(), sample.skipped()));
        LocusException pairs = assertThrows(LocusException.class, () -> Comparison.of(BASELINE, "abc", baseline, run(others, EXPECTATIONS, 1)));
        assertThat(pairs.getMessage()).contains("not comparable", "pairs: " + m.pairs() + " of this run's " + m.pairs());
    }

    private static Results withAsymmetryVerdict(Results r, Verdict verdict) {
        Claims c = r.claims();
        AsymmetryClaim.Result a = c.of(AsymmetryClaim.UNIT);
        Outcome o = a.outcome();
        AsymmetryClaim.Result changed = new AsymmetryClaim.Result(a.claim(), new Outcome(verdict, o.expected(), o.reason(), o.checks()),
                a.peakLayer(), a.peakChosenBy(), a.site(), a.layers(), a.residPost(), a.dominantDirection(), a.noiseFraction(),
                a.noiseFractionLow(), a.noiseFractionHigh(), a.shuffledFraction());
        return new Results(r.resultsVersion(), r.command(), r.allAsExpected(),
                new Claims(c.gain(), byName(c, changed)), r.expectations(), r.measurement(),
                r.provenance());
    }

    private static Map<String, ClaimResult> byName(Claims c, ClaimResult replacing) {
        Map<String, ClaimResult> out = new LinkedHashMap<>();
        c.all().forEach(r -> out.put(r.claim(), r.claim().equals(replacing.claim()) ? replacing : r));
        return out;
    }
}
