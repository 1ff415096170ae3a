package dev.locus.claims;

import org.junit.jupiter.api.DisplayName;

/** Claim 2 as a spec. */
@DisplayName(DoseResponseClaim.SENTENCE)
class DoseResponseClaimTest extends ClaimSpec<DoseResponseClaim.Result> {
    @Override
    DoseResponseClaim unit() {
        return DoseResponseClaim.UNIT;
    }
}
