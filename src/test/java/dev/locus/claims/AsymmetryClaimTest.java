package dev.locus.claims;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locus.report.Charts;
import io.qameta.allure.Allure;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Claim 1 as a spec: the verdict on each subject is the one its expectations file declares. */
@Tag("claim")
class AsymmetryClaimTest {
    static List<Measurement.Subject> subjects() {
        return ClaimSubjects.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void verdictIsTheExpectedOne(Measurement.Subject subject) {
        ClaimSubjects.Measured m = ClaimSubjects.measured(subject);
        ClaimSubjects.parameters(m);
        ClaimSubjects.measuredSteps(m);
        AsymmetryClaim.Result r = Allure.step("evaluate f_L, r_L, Wilcoxon + Holm, controls",
                () -> AsymmetryClaim.evaluate(m.measurement(), m.expectations()));
        StringBuilder csv = new StringBuilder("site,layer,f,f_low,f_high,r,r_low,r_high,wilcoxon_p,holm_p\n");
        for (String site : List.of("block_out", "resid_post")) {
            for (AsymmetryClaim.LayerEffect e : site.equals(r.site()) ? r.layers() : r.residPost()) {
                csv.append(String.join(",", site, String.valueOf(e.layer()), String.valueOf(e.f()), String.valueOf(e.fLow()),
                        String.valueOf(e.fHigh()), String.valueOf(e.r()), String.valueOf(e.rLow()), String.valueOf(e.rHigh()),
                        String.valueOf(e.wilcoxonP()), String.valueOf(e.holmP()))).append('\n');
            }
        }
        ClaimSubjects.record(m, r, csv.toString(), Charts.png(Charts.layerEffects(r)));
        assertThat(r.asExpected()).as(r::mismatch).isTrue();
    }
}
