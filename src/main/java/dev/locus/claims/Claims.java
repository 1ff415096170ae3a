package dev.locus.claims;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.measure.Measurement;
import java.util.List;

/**
 * The four claims of the paper evaluated on one measurement, with the tuned model's gain, the
 * precondition of each: the only place the four are listed.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Claims(Gain gain, AsymmetryClaim.Result asymmetry, DoseResponseClaim.Result doseResponse, LowRankClaim.Result lowRank,
        SparseAttributionClaim.Result sparseAttribution) {

    public static Claims evaluate(Measurement m, Expectations e) {
        Gain gain = Gain.of(m, e.run(), e.precondition());
        return new Claims(gain, AsymmetryClaim.evaluate(m, e, gain), DoseResponseClaim.evaluate(m, e, gain),
                LowRankClaim.evaluate(m, e, gain), SparseAttributionClaim.evaluate(m, e, gain));
    }

    /** The four results, in the paper's order. */
    @JsonIgnore
    public List<ClaimResult> all() {
        return List.of(asymmetry, doseResponse, lowRank, sparseAttribution);
    }

    @JsonIgnore
    public boolean allAsExpected() {
        return all().stream().allMatch(ClaimResult::asExpected);
    }

    /** The result of the claim named {@code claim} (as results spell it). */
    public ClaimResult named(String claim) {
        return all().stream().filter(r -> r.claim().equals(claim)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no claim named " + claim));
    }
}
