package dev.locus.claims;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locus.measure.Subject;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where the expectations name a planted truth (the localized fixture), the claims recover it.
 * Real checkpoints have none: for them the check is reported as not applicable, with the reason,
 * and the claims are held to their expected verdicts alone.
 */
@Tag("claim")
@DisplayName("A planted answer is found from outside: L* a planted layer, LASSO's layers near one, the smallest k at most the planted rank")
class PlantedTruthTest {
    static List<Named<Subject>> subjects() {
        return ClaimSubjects.all().stream().map(s -> Named.of(s.name(), s)).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void claimsRecoverThePlantedTruth(Subject subject) {
        Expectations.Truth truth = Expectations.read(subject.expectationsFile()).truth();
        Assumptions.assumeTrue(truth != null, () -> subject.expectationsFile() + " plants no truth (real checkpoints have none): "
                + "nothing to recover, the claims are held to their expected verdicts only");
        ClaimSubjects.Evaluated e = ClaimSubjects.evaluated(subject);
        ClaimRecording.parameters(e);
        for (Check c : PlantedTruth.check(truth, e.claims())) {
            System.err.println("locus claims: " + subject.name() + " truth: " + c.sentence());
            assertThat(c.passed()).as(c.sentence()).isTrue();
        }
    }
}
