package dev.locus.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import dev.locus.Provenance;
import dev.locus.claims.Check;
import dev.locus.claims.ClaimResult;
import dev.locus.claims.Claims;
import dev.locus.claims.Expectations;
import dev.locus.claims.Results;
import dev.locus.model.Point;
import dev.locus.regression.Baseline;
import dev.locus.regression.Comparison;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Writes a reproduction's folder: {@code results.json} (every number, deterministic),
 * {@code report.html} (one self-contained file, charts inline as SVG), {@code report.md} and the
 * charts as PNG under {@code charts/}. With a baseline, {@code results.json} carries the comparison
 * and its sha256, and both reports a section "Against the baseline": each curve drawn over the
 * baseline's, and the drift table. Each file is written aside and moved into place.
 */
public final class Report {
    public static final String HTML = "report.html";
    public static final String MARKDOWN = "report.md";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** A baseline run and this run's comparison with it. */
    public record Against(Baseline baseline, Comparison comparison) {}

    private Report() {}

    /** Writes the run folder; {@code against} is null for a run without a baseline. */
    public static void write(Path dir, Results results, Against against) {
        try {
            Files.createDirectories(dir.resolve("charts"));
            ObjectNode json = JSON.valueToTree(results);
            if (against != null) {
                json.set("baseline", JSON.valueToTree(against.comparison()));
            }
            atomically(dir.resolve(Results.FILE), JSON.writeValueAsString(json) + "\n");
            Claims claims = results.claims();
            Expectations e = results.expectations();
            String confidence = percent(e.run().confidence());
            List<Map<String, Object>> sections = new ArrayList<>();
            sections.add(section("asymmetry", "1. Bidirectional asymmetry", claims.asymmetry(), Charts.layerEffects(claims.asymmetry()),
                    "Each layer's " + (e.run().site() == Point.Site.RESID_POST ? "residual stream after the block (resid_post.L)"
                            : "block output (block_out.L)") + " swapped in one direction at a time. f_L (blue) is the share of the tuned "
                            + "model's gain that the tuned activations carry into the base; r_L (orange) the share the tuned model loses "
                            + "when its activations are replaced by the base's. Bars are " + confidence + " bootstrap intervals over "
                            + "pairs (" + e.run().bootstrapResamples() + " resamples). A localized preference shows one layer far from "
                            + "zero in at least one direction, and the two directions apart.", dir));
            sections.add(section("dose_response", "2. Monotone dose-response", claims.doseResponse(),
                    Charts.doseResponse(claims.doseResponse()),
                    "The base model's mean margin as the peak layer's activations are moved from the base's (alpha = 0) to the "
                            + "tuned model's (alpha = 1) and beyond. The claim needs a curve that never steps back by more than "
                            + percent(e.doseResponse().maxStepDown()) + " of |M(1) - M(0)|, a rank correlation of at least "
                            + e.doseResponse().minSpearman() + ", and at least " + percent(e.doseResponse().minMonotonePairs())
                            + " of pairs monotone on their own.", dir));
            int held = claims.lowRank().heldOutPairs();
            int pairs = results.measurement().pairs();
            sections.add(section("low_rank", "3. Low-rank recovery", claims.lowRank(), Charts.recovery(claims.lowRank()),
                    "Patching only the top-k directions of the tuned-minus-base difference (fitted on " + (pairs - held)
                            + " pairs, tested on the other " + held + "), as a share of the full patch. Random k-dimensional frames "
                            + "are the control (" + e.lowRank().randomDraws() + " per k): a subspace patch can switch on pathways the "
                            + "real difference does not use (Makelov et al. 2023), so recovery counts only well above the random line. "
                            + "The energy curve shows how much of the difference the top k directions hold.", dir));
            sections.add(section("sparse_attribution", "4. Sparse layer attribution", claims.sparseAttribution(),
                    Charts.attribution(claims.sparseAttribution()),
                    "LASSO of each pair's gain on each layer's activation distance (standardized), alpha chosen by "
                            + e.sparseAttribution().folds() + "-fold cross-validation over " + e.sparseAttribution().nAlphas()
                            + " alphas and the 1-SE rule. Bars: coefficients at that alpha, how often " + e.sparseAttribution()
                            .bootstrapRefits() + " bootstrap refits select each layer, and each layer's R^2 alone. Downstream layers "
                            + "inherit upstream changes, so several layers can predict well alone while LASSO keeps one.", dir));
            Map<String, Object> scope = new LinkedHashMap<>();
            scope.put("title", "locus reproduction: " + e.name());
            scope.put("description", e.description());
            scope.put("allAsExpected", results.allAsExpected());
            scope.put("verdicts", claims.all().stream().map(Report::verdictRow).toList());
            scope.put("sections", sections);
            scope.put("command", results.command());
            scope.put("gain", claims.gain().sentence());
            scope.put("pairs", pairs);
            scope.put("heldOut", held);
            scope.put("skipped", results.provenance().config().get("pairs_skipped"));
            if (against != null) {
                scope.put("baseline", baselineSection(results, against, dir));
            }
            scope.put("provenance", provenanceRows(results.provenance()));
            scope.put("hubCheckpoints", hubCheckpoints(results.provenance()));
            atomically(dir.resolve(HTML), template("report.html.mustache", true).execute(scope));
            atomically(dir.resolve(MARKDOWN), template("report.md.mustache", false).execute(scope));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report under " + dir, e);
        }
    }

    private static Map<String, Object> verdictRow(ClaimResult r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("claim", r.claim());
        row.put("verdict", r.outcome().verdict().label());
        row.put("expected", r.outcome().expected().label());
        row.put("asExpected", r.asExpected());
        row.put("reason", r.outcome().reason());
        return row;
    }

    private static Map<String, Object> section(String id, String title, ClaimResult result, Chart<?, ?> chart, String howToRead, Path dir)
            throws IOException {
        Map<String, Object> s = verdictRow(result);
        s.put("id", id);
        s.put("title", title);
        s.put("peakLayer", result.peakLayer());
        s.put("checks", result.outcome().checks().stream().map(Report::checkRow).toList());
        s.putAll(chart(id, chart, dir));
        s.put("howToRead", howToRead);
        return s;
    }

    private static Map<String, String> checkRow(Check c) {
        return Map.of("what", c.what(), "value", String.format(Locale.ROOT, "%.4g", c.value()), "comparison", c.comparison(),
                "threshold", String.format(Locale.ROOT, "%.4g", c.threshold()), "passed", c.passed() ? "yes" : "no");
    }

    /** The chart as PNG under charts/ (for report.md) and as inline SVG (for report.html). */
    private static Map<String, Object> chart(String id, Chart<?, ?> chart, Path dir) throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("drawn", Charts.drawable(chart));
        if (!Charts.drawable(chart)) {
            c.put("nochart", "Nothing to draw: every value of this chart is undefined (a share of a zero gain, or a recovery of a "
                    + "zero effect).");
            return c;
        }
        Files.write(dir.resolve("charts").resolve(id + ".png"), Charts.png(chart));
        c.put("svg", Charts.svg(chart));
        c.put("png", "charts/" + id + ".png");
        return c;
    }

    private static Map<String, Object> baselineSection(Results now, Against against, Path dir) throws IOException {
        Claims before = against.baseline().results().claims();
        Claims after = now.claims();
        Comparison comparison = against.comparison();
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("file", comparison.baseline());
        b.put("sha256", comparison.baselineSha256());
        b.put("regressed", comparison.regressed());
        b.put("regressions", comparison.regressions().size());
        b.put("drift", comparison.drift().stream().map(d -> Map.of("what", d.what(), "baseline", d.baseline(), "now", d.now(),
                "rule", d.rule(), "regression", d.regression() ? "REGRESSION" : "ok", "regressed", d.regression())).toList());
        List<Map<String, Object>> charts = new ArrayList<>();
        charts.add(overlay("baseline-layer-shares", "Layer shares f_L, r_L: this run (solid) over the baseline (dashed)",
                Charts.layerEffectsOver(after.asymmetry(), before.asymmetry()), dir));
        charts.add(overlay("baseline-dose", "Dose curve: this run over the baseline",
                Charts.doseResponseOver(after.doseResponse(), before.doseResponse()), dir));
        charts.add(overlay("baseline-recovery", "Recovery by k: this run over the baseline",
                Charts.recoveryOver(after.lowRank(), before.lowRank()), dir));
        b.put("charts", charts);
        return b;
    }

    private static Map<String, Object> overlay(String id, String title, Chart<?, ?> chart, Path dir) throws IOException {
        Map<String, Object> c = chart(id, chart, dir);
        c.put("title", title);
        return c;
    }

    /** The checkpoints named on the Hub, each with the revision asked for and the commit measured. */
    private static List<Map<String, String>> hubCheckpoints(Provenance p) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (String role : List.of("base", "tuned")) {
            String repo = p.config().get(role + "_hub_repo");
            if (repo != null) {
                rows.add(Map.of("role", role, "repo", repo, "revision", p.config().get(role + "_hub_revision"), "commit",
                        p.config().get(role + "_hub_commit")));
            }
        }
        return rows;
    }

    private static List<Map<String, String>> provenanceRows(Provenance p) {
        List<Map<String, String>> rows = new ArrayList<>();
        p.sha256().forEach((k, v) -> rows.add(Map.of("key", "sha256 " + k, "value", v)));
        p.config().forEach((k, v) -> rows.add(Map.of("key", k, "value", v)));
        rows.add(Map.of("key", "seed", "value", String.valueOf(p.seed())));
        rows.add(Map.of("key", "locus", "value", p.locusVersion() + " (" + p.gitCommit() + ")"));
        rows.add(Map.of("key", "DJL / PyTorch", "value", p.djlVersion() + " / " + p.pytorchVersion()));
        rows.add(Map.of("key", "matrix products", "value", p.matmul()));
        rows.add(Map.of("key", "machine", "value", p.machine()));
        return rows;
    }

    private static String percent(double share) {
        double p = 100 * share;
        return (p == Math.rint(p) ? String.valueOf((long) p) : String.format(Locale.ROOT, "%.3g", p)) + " %";
    }

    private static Template template(String name, boolean html) throws IOException {
        try (InputStream in = Report.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing template " + name);
            }
            Mustache.Compiler compiler = Mustache.compiler().defaultValue("");
            if (!html) {
                compiler = compiler.escapeHTML(false);
            }
            return compiler.compile(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static void atomically(Path file, String text) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, text, StandardCharsets.UTF_8);
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
