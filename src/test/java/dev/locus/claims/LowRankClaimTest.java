package dev.locus.claims;

import dev.locus.report.Charts;

/** Claim 3 as a spec. */
class LowRankClaimTest extends ClaimSpec<LowRankClaim.Result> {
    @Override
    String evaluation() {
        return "evaluate recovery(k) against random frames";
    }

    @Override
    LowRankClaim.Result evaluate(Measurement measurement, Expectations expectations) {
        return LowRankClaim.evaluate(measurement, expectations);
    }

    @Override
    String csv(LowRankClaim.Result r) {
        StringBuilder csv = new StringBuilder("k,recovery,random_recovery,energy\n");
        for (LowRankClaim.Point p : r.recovery()) {
            csv.append(p.k()).append(',').append(p.recovery()).append(',').append(p.randomRecovery()).append(',').append(p.energy()).append('\n');
        }
        return csv.toString();
    }

    @Override
    byte[] png(LowRankClaim.Result r) {
        return Charts.png(Charts.recovery(r));
    }
}
