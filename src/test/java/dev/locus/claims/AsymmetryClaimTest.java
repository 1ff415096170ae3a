package dev.locus.claims;

import org.junit.jupiter.api.DisplayName;

/** Claim 1 as a spec. */
@DisplayName(AsymmetryClaim.SENTENCE)
class AsymmetryClaimTest extends ClaimSpec<AsymmetryClaim.Result> {
    @Override
    AsymmetryClaim unit() {
        return AsymmetryClaim.UNIT;
    }
}
