package dev.locus.claims;

import static org.assertj.core.api.Assertions.assertThat;

import io.qameta.allure.Allure;
import java.util.List;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One claim as a spec: on each subject ({@link ClaimSubjects}) the claim's verdict is the one the
 * subject's expectations file declares. A subclass names the claim's evaluation, its table and its
 * chart; the run itself is shared by the four specs.
 */
@Tag("claim")
abstract class ClaimSpec<R extends ClaimResult> {
    static List<Named<Measurement.Subject>> subjects() {
        return ClaimSubjects.all().stream().map(s -> Named.of(s.name(), s)).toList();
    }

    /** The step's name in the report, e.g. what the evaluation computes. */
    abstract String evaluation();

    abstract R evaluate(Measurement measurement, Expectations expectations);

    abstract String csv(R result);

    abstract byte[] png(R result);

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void verdictIsTheExpectedOne(Measurement.Subject subject) {
        ClaimSubjects.Measured m = ClaimSubjects.measured(subject);
        ClaimSubjects.parameters(m);
        ClaimSubjects.measuredSteps(m);
        R result = Allure.step(evaluation(), () -> evaluate(m.measurement(), m.expectations()));
        ClaimSubjects.record(m, result, csv(result), png(result));
        assertThat(result.asExpected()).as(result::mismatch).isTrue();
    }
}
