package dev.locus.claims;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locus.report.Charts;
import io.qameta.allure.Allure;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Claim 4 as a spec. */
@Tag("claim")
class SparseAttributionClaimTest {
    static List<Measurement.Subject> subjects() {
        return ClaimSubjects.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void verdictIsTheExpectedOne(Measurement.Subject subject) {
        ClaimSubjects.Measured m = ClaimSubjects.measured(subject);
        ClaimSubjects.parameters(m);
        ClaimSubjects.measuredSteps(m);
        SparseAttributionClaim.Result r = Allure.step("evaluate LASSO (5-fold CV, 1-SE rule) and bootstrap refits",
                () -> SparseAttributionClaim.evaluate(m.measurement(), m.expectations()));
        StringBuilder csv = new StringBuilder("layer,coefficient,selection_frequency,univariate_r2\n");
        for (int l = 0; l < r.coefficients().length; l++) {
            csv.append(l).append(',').append(r.coefficients()[l]).append(',').append(r.selectionFrequency()[l]).append(',')
                    .append(r.univariateR2()[l]).append('\n');
        }
        ClaimSubjects.record(m, r, csv.toString(), Charts.png(Charts.attribution(r)));
        assertThat(r.asExpected()).as(r::mismatch).isTrue();
    }
}
