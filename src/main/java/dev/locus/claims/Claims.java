package dev.locus.claims;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.locus.measure.Measurement;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The claims of the paper evaluated on one measurement, with the tuned model's gain, the
 * precondition of each. {@link #ALL} is the one list of claims, in the paper's order.
 *
 * @param results each claim's result by its name, in the order of {@link #ALL}
 */
@JsonDeserialize(using = Claims.Reader.class)
public record Claims(Gain gain, @JsonIgnore Map<String, ClaimResult> results) {

    /** Every claim, in the paper's order: expectations, results, the report, the comparison and the specs iterate it. */
    public static final List<Claim<?, ?>> ALL = List.of(AsymmetryClaim.UNIT, DoseResponseClaim.UNIT, LowRankClaim.UNIT,
            SparseAttributionClaim.UNIT, SteeringClaim.UNIT);

    public static Claims evaluate(Measurement m, Expectations e) {
        Gain gain = Gain.of(m, e.run(), e.precondition());
        Map<String, ClaimResult> results = new LinkedHashMap<>();
        for (Claim<?, ?> claim : ALL) {
            results.put(claim.name(), evaluate(claim, m, e, gain));
        }
        return new Claims(gain, results);
    }

    private static <S extends Claim.Section, R extends ClaimResult> R evaluate(Claim<S, R> claim, Measurement m, Expectations e, Gain gain) {
        return claim.evaluate(m, e.run(), e.section(claim), gain);
    }

    /** The result of {@code claim}. */
    public <R extends ClaimResult> R of(Claim<?, R> claim) {
        return claim.resultType().cast(results.get(claim.name()));
    }

    /** The results, in the paper's order. */
    @JsonIgnore
    public List<ClaimResult> all() {
        return List.copyOf(results.values());
    }

    @JsonIgnore
    public boolean allAsExpected() {
        return results.values().stream().allMatch(ClaimResult::asExpected);
    }

    /** The result of the claim named {@code claim} (as results spell it). */
    public ClaimResult named(String claim) {
        ClaimResult r = results.get(claim);
        if (r == null) {
            throw new IllegalStateException("no claim named " + claim);
        }
        return r;
    }

    /** As results.json holds them: the gain, then each claim's result under its name. */
    @JsonAnyGetter
    Map<String, ClaimResult> byName() {
        return results;
    }

    /** Reads each claim's result as its own type. */
    static final class Reader extends JsonDeserializer<Claims> {
        @Override
        public Claims deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            JsonNode tree = parser.readValueAsTree();
            Gain gain = context.readTreeAsValue(tree.get("gain"), Gain.class);
            Map<String, ClaimResult> results = new LinkedHashMap<>();
            for (Claim<?, ?> claim : ALL) {
                JsonNode node = tree.get(claim.name());
                if (node == null) {
                    context.reportInputMismatch(Claims.class, "claims.%s: missing", claim.name());
                }
                results.put(claim.name(), context.readTreeAsValue(node, claim.resultType()));
            }
            return new Claims(gain, results);
        }
    }
}
