package dev.locus.claims;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locus.report.Charts;
import io.qameta.allure.Allure;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Claim 3 as a spec. */
@Tag("claim")
class LowRankClaimTest {
    static List<Measurement.Subject> subjects() {
        return ClaimSubjects.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void verdictIsTheExpectedOne(Measurement.Subject subject) {
        ClaimSubjects.Measured m = ClaimSubjects.measured(subject);
        ClaimSubjects.parameters(m);
        ClaimSubjects.measuredSteps(m);
        LowRankClaim.Result r = Allure.step("evaluate recovery(k) against random frames",
                () -> LowRankClaim.evaluate(m.measurement(), m.expectations()));
        StringBuilder csv = new StringBuilder("k,recovery,random_recovery,energy\n");
        for (LowRankClaim.Point p : r.recovery()) {
            csv.append(p.k()).append(',').append(p.recovery()).append(',').append(p.randomRecovery()).append(',').append(p.energy()).append('\n');
        }
        ClaimSubjects.record(m, r, csv.toString(), Charts.png(Charts.recovery(r)));
        assertThat(r.asExpected()).as(r::mismatch).isTrue();
    }
}
