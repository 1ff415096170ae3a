package dev.locus.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.claims.AsymmetryClaim;
import dev.locus.claims.Check;
import dev.locus.claims.Claim;
import dev.locus.claims.ClaimResult;
import dev.locus.claims.Claims;
import dev.locus.claims.Expectations;
import dev.locus.claims.LowRankClaim;
import dev.locus.claims.PlantedTruth;
import dev.locus.claims.Results;
import dev.locus.claims.SparseAttributionClaim;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Known-answer fixtures over many seeds: each (family, kind, seed) generated, reproduced against
 * its kind's expectations file, and held to what that file declares (every verdict, and for a
 * kind that plants a truth, the planted layer, rank and LASSO layers found). A fixture is the
 * harness's proof that a green build means something only if it holds for the seed a user picks.
 */
public final class SeedSweep {
    private SeedSweep() {}

    /**
     * One fixture's row: what was declared, what was found, the numbers behind it.
     *
     * @param verdicts per claim, in the paper's order: the verdict found
     * @param missed every claim whose verdict is not the declared one, and every planted-truth check that failed, as sentences
     * @param error why the row could not be measured (null when it was)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Row(String family, String kind, long seed, List<String> verdicts, List<String> missed, Double gain,
            Integer peakLayer, Double f, Double r, Double noiseFraction, Integer smallestK, List<Integer> lassoLayers,
            Double topFrequency, double seconds, String error) {

        @JsonProperty("as_declared")
        public boolean asDeclared() {
            return error == null && missed.isEmpty();
        }
    }

    /** The row of a finished reproduction; the planted truth is checked where the expectations declare one. */
    public static Row row(String family, String kind, long seed, Results results, Expectations expectations, double seconds) {
        Claims c = results.claims();
        List<String> verdicts = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        for (ClaimResult r : c.all()) {
            verdicts.add(r.outcome().verdict().label());
            if (!r.asExpected()) {
                missed.add(r.mismatch());
            }
        }
        if (expectations.truth() != null) {
            for (Check check : PlantedTruth.check(expectations.truth(), c)) {
                if (!check.passed()) {
                    missed.add("planted truth: " + check.what() + " = " + check.value() + ", misses " + check.comparison() + " "
                            + check.threshold());
                }
            }
        }
        AsymmetryClaim.Result asymmetry = c.of(AsymmetryClaim.UNIT);
        int peak = asymmetry.peakLayer();
        var at = asymmetry.layers().get(peak);
        var sparse = c.of(SparseAttributionClaim.UNIT);
        return new Row(family, kind, seed, verdicts, missed, c.gain().mean(), peak, at.f(), at.r(), asymmetry.noiseFraction(),
                c.of(LowRankClaim.UNIT).smallestK(), sparse.selectedLayers(), sparse.topLayer() == null ? null
                        : sparse.selectionFrequency()[sparse.topLayer()], seconds, null);
    }

    /** A row that could not be measured, with why. */
    public static Row unmeasured(String family, String kind, long seed, double seconds, String error) {
        return new Row(family, kind, seed, List.of(), List.of(), null, null, null, null, null, null, null, null, seconds, error);
    }

    /** The rows as a Markdown table: one line per fixture, the verdicts as h (holds) / f (fails) in the order of {@link Claims#ALL}. */
    public static String table(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        String claims = Claims.ALL.stream().map(Claim::name).collect(java.util.stream.Collectors.joining(" "));
        out.append("| family | kind | seed | verdicts (" + claims + ") | as declared | gain | L*: f, r | noise / real "
                + "| smallest k | LASSO layers (top's refit share) | s |\n");
        out.append("| --- | --- | ---: | --- | --- | ---: | --- | ---: | ---: | --- | ---: |\n");
        for (Row r : rows) {
            if (r.error() != null) {
                out.append(String.format(Locale.ROOT, "| %s | %s | %d | not measured | no: %s | | | | | | %.0f |%n", r.family(), r.kind(),
                        r.seed(), r.error().replace("|", "/"), r.seconds()));
                continue;
            }
            String verdicts = String.join(" ", r.verdicts().stream().map(v -> v.substring(0, 1)).toList());
            out.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %.3f | %d: %.3f, %.3f | %.3f | %s | %s%s | %.0f |%n",
                    r.family(), r.kind(), r.seed(), verdicts, r.asDeclared() ? "yes" : "**no**", r.gain(), r.peakLayer(), r.f(), r.r(),
                    r.noiseFraction(), r.smallestK() == null ? "none" : r.smallestK().toString(), r.lassoLayers(),
                    r.topFrequency() == null ? "" : String.format(Locale.ROOT, " (%.2f)", r.topFrequency()), r.seconds()));
        }
        return out.toString();
    }

    /** One line per row that is not as declared, naming what was missed. */
    public static List<String> departures(List<Row> rows) {
        List<String> out = new ArrayList<>();
        for (Row r : rows) {
            String name = r.family() + " " + r.kind() + " seed " + r.seed();
            if (r.error() != null) {
                out.add(name + ": not measured: " + r.error());
            }
            for (String m : r.missed()) {
                out.add(name + ": " + m);
            }
        }
        return out;
    }
}
