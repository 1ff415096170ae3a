package dev.locus.claims;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locus.measure.Subject;
import dev.locus.regression.Comparison;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With {@code -Dlocus.baseline=RUN}, the checkpoints still localize the way the accepted run did:
 * no rule of the expectations' regression block is broken. The drift table goes to the log and
 * the run folder's report.
 */
@Tag("claim")
@DisplayName("Against the baseline: the new checkpoint still localizes the way the accepted one did")
class AgainstTheBaselineTest {
    static List<Named<Subject>> subjects() {
        return ClaimSubjects.all().stream().map(s -> Named.of(s.name(), s)).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void noRegression(Subject subject) {
        Assumptions.assumeTrue(ClaimSubjects.baselineGiven() != null && subject.name().equals(ClaimSubjects.CUSTOM),
                "no -Dlocus.baseline given: nothing to compare with");
        ClaimSubjects.Evaluated e = ClaimSubjects.evaluated(subject);
        ClaimRecording.parameters(e);
        Comparison c = e.comparison();
        System.err.print(c.table());
        assertThat(c.regressed()).as(() -> "regressed against the baseline " + c.baseline() + ": "
                + c.regressions().stream().map(Drift::sentence).collect(Collectors.joining("; "))).isFalse();
    }
}
