package dev.locus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locus.Provenance;
import dev.locus.claims.Check;
import dev.locus.claims.ClaimResult;
import dev.locus.claims.Expectations;
import dev.locus.claims.HandMade;
import dev.locus.claims.PlantedTruth;
import dev.locus.claims.Results;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** A sweep row is as declared exactly when every verdict is the declared one and, where a truth is planted, every truth check passes. */
class SeedSweepTest {
    private static final Expectations LOCALIZED = Expectations.read(Path.of("expectations/fixture-localized.yaml"));
    private static final Expectations NULL = Expectations.read(Path.of("expectations/fixture-null.yaml"));

    @Property(tries = 40)
    void aRowIsAsDeclaredExactlyWhenEveryVerdictAndTruthCheckIs(@ForAll long seed, @ForAll boolean localized) {
        Expectations e = localized ? LOCALIZED : NULL;
        Results results = Results.of("test", Provenance.of("test").build(), HandMade.measurement(new Random(seed), e), e);
        SeedSweep.Row row = SeedSweep.row("llama", localized ? "localized" : "null", seed, results, e, 1.0);

        List<ClaimResult> claims = results.claims().all();
        long missedClaims = claims.stream().filter(c -> !c.asExpected()).count();
        long missedTruth = e.truth() == null ? 0
                : PlantedTruth.check(e.truth(), results.claims()).stream().filter(c -> !c.passed()).count();
        assertThat(row.verdicts()).isEqualTo(claims.stream().map(c -> c.outcome().verdict().label()).toList());
        assertThat(row.missed()).hasSize((int) (missedClaims + missedTruth));
        assertThat(row.asDeclared()).isEqualTo(missedClaims + missedTruth == 0);
        assertThat(SeedSweep.departures(List.of(row))).hasSize(row.missed().size());
        String table = SeedSweep.table(List.of(row));
        assertThat(table.lines()).hasSize(3);
        assertThat(table).contains(row.asDeclared() ? "| yes |" : "| **no** |");
    }

    @Property(tries = 5)
    void aRowThatWasNotMeasuredIsNeverAsDeclared(@ForAll long seed) {
        SeedSweep.Row row = SeedSweep.unmeasured("gemma2", "diffuse", seed, 3.0, "bin/locus reproduce exited 2, see X");
        assertThat(row.asDeclared()).isFalse();
        assertThat(SeedSweep.departures(List.of(row))).containsExactly("gemma2 diffuse seed " + seed
                + ": not measured: bin/locus reproduce exited 2, see X");
        assertThat(SeedSweep.table(List.of(row))).contains("not measured");
    }

    /** The localized expectations plant a truth; each failed truth check is a departure of its own, named. */
    @Property(tries = 20)
    void aFailedTruthCheckIsNamed(@ForAll long seed) {
        Results results = Results.of("test", Provenance.of("test").build(), HandMade.measurement(new Random(seed), LOCALIZED), LOCALIZED);
        List<Check> truth = PlantedTruth.check(LOCALIZED.truth(), results.claims());
        SeedSweep.Row row = SeedSweep.row("llama", "localized", seed, results, LOCALIZED, 1.0);
        for (Check c : truth) {
            assertThat(row.missed().stream().anyMatch(m -> m.startsWith("planted truth: " + c.what()))).as(c.what()).isEqualTo(!c.passed());
        }
    }
}
