package dev.locus.claims;

import org.junit.jupiter.api.DisplayName;

/** Claim 5 as a spec. */
@DisplayName(SteeringClaim.SENTENCE)
class SteeringClaimTest extends ClaimSpec<SteeringClaim.Result> {
    @Override
    SteeringClaim unit() {
        return SteeringClaim.UNIT;
    }
}
