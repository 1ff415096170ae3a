package dev.locus.claims;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locus.measure.Subject;
import java.util.List;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One claim of the paper as a spec: on each subject ({@link ClaimSubjects}) the claim's verdict is
 * the one the subject's expectations file declares. A subclass is named by the claim's sentence
 * and names its {@link Claim}; the run is shared by every spec, and
 * {@link ClaimRecording} files what the spec saw for the report.
 */
@Tag("claim")
@ExtendWith(ClaimRecording.class)
abstract class ClaimSpec<R extends ClaimResult> {
    static List<Named<Subject>> subjects() {
        return ClaimSubjects.all().stream().map(s -> Named.of(s.name(), s)).toList();
    }

    /** The claim this spec states. */
    abstract Claim<?, R> unit();

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void verdictIsTheExpectedOne(Subject subject) {
        R result = ClaimSubjects.evaluated(subject).claims().of(unit());
        assertThat(result.asExpected()).as(result::mismatch).isTrue();
    }
}
