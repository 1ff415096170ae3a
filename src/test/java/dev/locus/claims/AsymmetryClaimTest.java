package dev.locus.claims;

import dev.locus.report.Charts;
import java.util.List;

/** Claim 1 as a spec. */
class AsymmetryClaimTest extends ClaimSpec<AsymmetryClaim.Result> {
    @Override
    String evaluation() {
        return "evaluate f_L, r_L, Wilcoxon + Holm, controls";
    }

    @Override
    AsymmetryClaim.Result evaluate(Measurement measurement, Expectations expectations) {
        return AsymmetryClaim.evaluate(measurement, expectations);
    }

    @Override
    String csv(AsymmetryClaim.Result r) {
        StringBuilder csv = new StringBuilder("site,layer,f,f_low,f_high,r,r_low,r_high,wilcoxon_p,holm_p\n");
        for (String site : List.of(r.site(), "resid_post").stream().distinct().toList()) {
            for (AsymmetryClaim.LayerEffect e : site.equals(r.site()) ? r.layers() : r.residPost()) {
                csv.append(String.join(",", site, String.valueOf(e.layer()), String.valueOf(e.f()), String.valueOf(e.fLow()),
                        String.valueOf(e.fHigh()), String.valueOf(e.r()), String.valueOf(e.rLow()), String.valueOf(e.rHigh()),
                        String.valueOf(e.wilcoxonP()), String.valueOf(e.holmP()))).append('\n');
            }
        }
        return csv.toString();
    }

    @Override
    byte[] png(AsymmetryClaim.Result r) {
        return Charts.png(Charts.layerEffects(r));
    }
}
