package dev.locus.claims;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locus.report.Charts;
import io.qameta.allure.Allure;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Claim 2 as a spec. */
@Tag("claim")
class DoseResponseClaimTest {
    static List<Measurement.Subject> subjects() {
        return ClaimSubjects.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void verdictIsTheExpectedOne(Measurement.Subject subject) {
        ClaimSubjects.Measured m = ClaimSubjects.measured(subject);
        ClaimSubjects.parameters(m);
        ClaimSubjects.measuredSteps(m);
        DoseResponseClaim.Result r = Allure.step("evaluate the mean margin curve, Spearman and per-pair monotonicity",
                () -> DoseResponseClaim.evaluate(m.measurement(), m.expectations()));
        StringBuilder csv = new StringBuilder("alpha,mean_margin\n");
        for (int a = 0; a < r.alphas().length; a++) {
            csv.append(r.alphas()[a]).append(',').append(r.meanMargins()[a]).append('\n');
        }
        ClaimSubjects.record(m, r, csv.toString(), Charts.png(Charts.doseResponse(r)));
        assertThat(r.asExpected()).as(r::mismatch).isTrue();
    }
}
