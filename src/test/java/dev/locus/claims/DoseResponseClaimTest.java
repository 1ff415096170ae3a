package dev.locus.claims;

import dev.locus.report.Charts;

/** Claim 2 as a spec. */
class DoseResponseClaimTest extends ClaimSpec<DoseResponseClaim.Result> {
    @Override
    String evaluation() {
        return "evaluate the mean margin curve, Spearman and per-pair monotonicity";
    }

    @Override
    DoseResponseClaim.Result evaluate(Measurement measurement, Expectations expectations) {
        return DoseResponseClaim.evaluate(measurement, expectations);
    }

    @Override
    String csv(DoseResponseClaim.Result r) {
        StringBuilder csv = new StringBuilder("alpha,mean_margin\n");
        for (int a = 0; a < r.alphas().length; a++) {
            csv.append(r.alphas()[a]).append(',').append(r.meanMargins()[a]).append('\n');
        }
        return csv.toString();
    }

    @Override
    byte[] png(DoseResponseClaim.Result r) {
        return Charts.png(Charts.doseResponse(r));
    }
}
