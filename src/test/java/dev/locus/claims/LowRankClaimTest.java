package dev.locus.claims;

import org.junit.jupiter.api.DisplayName;

/** Claim 3 as a spec. */
@DisplayName(LowRankClaim.SENTENCE)
class LowRankClaimTest extends ClaimSpec<LowRankClaim.Result> {
    @Override
    LowRankClaim unit() {
        return LowRankClaim.UNIT;
    }
}
