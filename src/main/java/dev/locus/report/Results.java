package dev.locus.report;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.Provenance;
import dev.locus.claims.AsymmetryClaim;
import dev.locus.claims.ClaimResult;
import dev.locus.claims.DoseResponseClaim;
import dev.locus.claims.Expectations;
import dev.locus.claims.LowRankClaim;
import dev.locus.claims.Measurement;
import dev.locus.claims.SparseAttributionClaim;
import dev.locus.claims.Verdict;
import java.util.List;

/**
 * Everything a reproduction found: the verdict table, each claim's result, every measured number
 * per pair and layer, the expectations held to, the provenance and the command that reproduces it.
 * A function of the inputs alone: timings go to {@code timings.json}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Results(String command, boolean allAsExpected, List<Row> verdicts, AsymmetryClaim.Result asymmetry,
        DoseResponseClaim.Result doseResponse, LowRankClaim.Result lowRank, SparseAttributionClaim.Result sparseAttribution,
        Expectations expectations, Measurement measurement, Provenance provenance) {

    /** One claim's line of the verdict table. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Row(String claim, Verdict verdict, Verdict expected, boolean asExpected, String reason) {
        static Row of(ClaimResult r) {
            return new Row(r.claim(), r.verdict(), r.expected(), r.asExpected(), r.reason());
        }
    }

    public static Results of(String command, Measurement m, Expectations e) {
        AsymmetryClaim.Result a = AsymmetryClaim.evaluate(m, e);
        DoseResponseClaim.Result d = DoseResponseClaim.evaluate(m, e);
        LowRankClaim.Result l = LowRankClaim.evaluate(m, e);
        SparseAttributionClaim.Result s = SparseAttributionClaim.evaluate(m, e);
        List<Row> rows = List.of(Row.of(a), Row.of(d), Row.of(l), Row.of(s));
        return new Results(command, rows.stream().allMatch(Row::asExpected), rows, a, d, l, s, e, m, m.provenance());
    }
}
