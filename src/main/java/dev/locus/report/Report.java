package dev.locus.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import dev.locus.Provenance;
import dev.locus.claims.Check;
import dev.locus.claims.Claim;
import dev.locus.claims.ClaimResult;
import dev.locus.claims.Claims;
import dev.locus.claims.Expectations;
import dev.locus.claims.Results;
import dev.locus.claims.SteeringClaim;
import dev.locus.measure.Measurement;
import dev.locus.model.Point;
import dev.locus.patching.SteeringFile;
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
            List<Map<String, Object>> sections = new ArrayList<>();
            for (Claim<?, ?> claim : Claims.ALL) {
                sections.add(section(claim, results, dir));
            }
            Map<String, Object> scope = new LinkedHashMap<>();
            scope.put("title", "locus reproduction: " + e.name());
            scope.put("description", e.description());
            scope.put("allAsExpected", results.allAsExpected());
            scope.put("verdicts", claims.all().stream().map(Report::verdictRow).toList());
            scope.put("sections", sections);
            scope.put("command", results.command());
            scope.put("gain", claims.gain().sentence());
            scope.put("pairs", results.measurement().pairs());
            scope.put("heldOut", results.measurement().heldOutIndices().length);
            scope.put("skipped", results.provenance().config().get("pairs_skipped"));
            if (against != null) {
                scope.put("baseline", baselineSection(results, against, dir));
            }
            scope.put("provenance", provenanceRows(results.provenance()));
            scope.put("hubCheckpoints", hubCheckpoints(results.provenance()));
            scope.put("steeringFiles", steeringFiles(results, dir));
            scope.put("continuations", continuations(results));
            scope.put("hasContinuations", !results.measurement().continuations().isEmpty());
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
        row.put("expected", r.outcome().expectation());
        row.put("asExpected", r.asExpected());
        row.put("reason", r.outcome().reason());
        return row;
    }

    /** A claim's section: its verdict, checks, chart and how to read it. */
    private static <S extends Claim.Section, R extends ClaimResult> Map<String, Object> section(Claim<S, R> claim, Results results,
            Path dir) throws IOException {
        R result = results.claims().of(claim);
        Expectations e = results.expectations();
        Map<String, Object> s = verdictRow(result);
        s.put("id", claim.name());
        s.put("title", claim.title());
        s.put("peakLayer", result.peakLayer());
        s.put("checks", result.outcome().checks().stream().map(Report::checkRow).toList());
        s.putAll(chart(claim.name(), claim.chart(result), dir));
        s.put("howToRead", claim.howToRead(result, e.run(), e.section(claim), results.measurement()));
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
        for (Claim<?, ?> claim : Claims.ALL) {
            Map<String, Object> overlay = overlay(claim, before, after, dir);
            if (overlay != null) {
                charts.add(overlay);
            }
        }
        b.put("charts", charts);
        return b;
    }

    /** A claim's chart of this run over the baseline's, or null where the claim draws none. */
    private static <R extends ClaimResult> Map<String, Object> overlay(Claim<?, R> claim, Claims before, Claims after, Path dir)
            throws IOException {
        Chart<?, ?> chart = claim.chartOver(after.of(claim), before.of(claim));
        if (chart == null) {
            return null;
        }
        Map<String, Object> c = chart("baseline-" + claim.name(), chart, dir);
        c.put("title", claim.title() + ": this run (solid) over the baseline (dashed)");
        return c;
    }

    /**
     * Exports the run's steering vector: {@code steering.safetensors}, and llama.cpp's control vector
     * {@code steering.gguf} where L* is not block 0. Returns what the report says of them.
     */
    private static Map<String, Object> steeringFiles(Results results, Path dir) throws IOException {
        Measurement m = results.measurement();
        Measurement.Steering st = m.steering();
        SteeringClaim.Result claim = results.claims().of(SteeringClaim.UNIT);
        Point point = new Point(results.expectations().run().site(), m.peakLayer());
        SteeringFile file = new SteeringFile(results.provenance().config().get("model_type"), m.hiddenSize(), m.layers(), point, st.rank(),
                claim.bestScale(), st.meanDifference(), st.projected(), JSON.writeValueAsString(results.provenance()));
        Path partial = dir.resolve(SteeringFile.FILE + ".partial");
        file.write(partial);
        Files.move(partial, dir.resolve(SteeringFile.FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("safetensors", SteeringFile.FILE);
        out.put("point", point.name());
        out.put("layer", point.layer());
        out.put("rank", st.rank());
        out.put("bestScale", claim.bestScale() == null ? "none (no c within the guard)" : claim.bestScale());
        out.put("scaleForLlamaCpp", claim.bestScale() == null ? "C" : claim.bestScale());
        Path gguf = dir.resolve(SteeringFile.GGUF + ".partial");
        if (file.writeGguf(gguf)) {
            Files.move(gguf, dir.resolve(SteeringFile.GGUF), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            out.put("gguf", SteeringFile.GGUF);
        } else {
            Files.deleteIfExists(dir.resolve(SteeringFile.GGUF));
        }
        return out;
    }

    /**
     * The first held-out pairs' continuations: the base's, the base's steered with weight 1 and the
     * tuned model's, each prompt shown by its last characters.
     */
    private static List<Map<String, Object>> continuations(Results results) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Measurement.Continued c : results.measurement().continuations()) {
            String prompt = c.prompt().strip();
            out.add(Map.of("pairId", c.pairId(), "prompt", prompt.length() <= 300 ? prompt : "..." + prompt.substring(prompt.length() - 300),
                    "base", c.base(), "steered", c.steered(), "tuned", c.tuned()));
        }
        return out;
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
