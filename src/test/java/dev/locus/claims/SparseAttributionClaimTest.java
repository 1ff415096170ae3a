package dev.locus.claims;

import org.junit.jupiter.api.DisplayName;

/** Claim 4 as a spec. */
@DisplayName(SparseAttributionClaim.SENTENCE)
class SparseAttributionClaimTest extends ClaimSpec<SparseAttributionClaim.Result> {
    @Override
    SparseAttributionClaim unit() {
        return SparseAttributionClaim.UNIT;
    }
}
