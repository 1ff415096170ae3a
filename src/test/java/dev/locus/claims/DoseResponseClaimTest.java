package dev.locus.claims;

import org.junit.jupiter.api.DisplayName;

/** Claim 2 as a spec. */
@DisplayName(DoseResponseClaim.SENTENCE)
class DoseResponseClaimTest extends ClaimSpec<DoseResponseClaim.Result> {
    @Override
    DoseResponseClaim.Result claimOf(Claims claims) {
        return claims.doseResponse();
    }
}
