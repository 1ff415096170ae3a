package dev.locus.claims;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Where the expectations name a planted truth (the localized fixture), the claims recover it. */
@Tag("claim")
class PlantedTruthTest {
    static List<Named<Measurement.Subject>> subjects() {
        return ClaimSubjects.all().stream().filter(s -> Expectations.read(s.expectationsFile()).truth() != null)
                .map(s -> Named.of(s.name(), s)).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void claimsRecoverThePlantedTruth(Measurement.Subject subject) {
        ClaimSubjects.Measured m = ClaimSubjects.measured(subject);
        ClaimSubjects.parameters(m);
        List<Check> checks = PlantedTruth.check(m.expectations().truth(), AsymmetryClaim.evaluate(m.measurement(), m.expectations()),
                LowRankClaim.evaluate(m.measurement(), m.expectations()),
                SparseAttributionClaim.evaluate(m.measurement(), m.expectations()));
        for (Check c : checks) {
            System.err.println("locus claims: " + subject.name() + " truth: " + c.sentence());
            assertThat(c.passed()).as(c.sentence()).isTrue();
        }
    }
}
