package dev.locus.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import dev.locus.claims.Check;
import dev.locus.claims.ClaimResult;
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
 * charts as PNG under {@code charts/}. Each file is written aside and moved into place.
 */
public final class Report {
    public static final String RESULTS = "results.json";
    public static final String HTML = "report.html";
    public static final String MARKDOWN = "report.md";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private Report() {}

    public static void write(Path dir, Results results) {
        try {
            Files.createDirectories(dir.resolve("charts"));
            atomically(dir.resolve(RESULTS), JSON.writeValueAsString(results) + "\n");
            List<Map<String, Object>> sections = new ArrayList<>();
            sections.add(section("asymmetry", "1. Bidirectional asymmetry", results.asymmetry(), Charts.layerEffects(results.asymmetry()),
                    "Each layer's block output swapped in one direction at a time. f_L (blue) is the share of the tuned model's gain "
                            + "that the tuned block output carries into the base; r_L (orange) the share the tuned model loses when its "
                            + "block output is replaced by the base's. Bars are 95 % bootstrap intervals over pairs. A localized "
                            + "preference shows one layer far from zero in at least one direction, and the two directions apart.", dir));
            sections.add(section("dose_response", "2. Monotone dose-response", results.doseResponse(), Charts.doseResponse(results.doseResponse()),
                    "The base model's mean margin as the peak layer's block output is moved from the base's (alpha = 0) to the "
                            + "tuned model's (alpha = 1) and beyond. The claim needs a curve that never steps back by more than the "
                            + "threshold, a high rank correlation, and most pairs monotone on their own.", dir));
            sections.add(section("low_rank", "3. Low-rank recovery", results.lowRank(), Charts.recovery(results.lowRank()),
                    "Patching only the top-k directions of the tuned-minus-base difference (fitted on half the pairs, tested "
                            + "on the other half), as a share of the full patch. Random k-dimensional frames are the control: a "
                            + "subspace patch can switch on pathways the real difference does not use (Makelov et al. 2023), so "
                            + "recovery counts only well above the random line. The energy curve shows how much of the difference "
                            + "the top k directions hold.", dir));
            sections.add(section("sparse_attribution", "4. Sparse layer attribution", results.sparseAttribution(),
                    Charts.attribution(results.sparseAttribution()),
                    "LASSO of each pair's gain on each layer's activation distance (standardized), alpha chosen by 5-fold "
                            + "cross-validation and the 1-SE rule. Bars: coefficients at that alpha, how often bootstrap refits "
                            + "select each layer, and each layer's R^2 alone. Downstream layers inherit upstream changes, so "
                            + "several layers can predict well alone while LASSO keeps one.", dir));
            Map<String, Object> scope = new LinkedHashMap<>();
            scope.put("title", "locus reproduction: " + results.expectations().name());
            scope.put("description", results.expectations().description());
            scope.put("allAsExpected", results.allAsExpected());
            scope.put("verdicts", results.verdicts());
            scope.put("sections", sections);
            scope.put("command", results.command());
            scope.put("gain", results.asymmetry().gain().sentence());
            scope.put("pairs", results.measurement().pairIds().size());
            scope.put("heldOut", results.lowRank().heldOutPairs());
            scope.put("skipped", results.provenance().config().get("pairs_skipped"));
            List<Map<String, String>> provenance = new ArrayList<>();
            results.provenance().sha256().forEach((k, v) -> provenance.add(Map.of("key", "sha256 " + k, "value", v)));
            results.provenance().config().forEach((k, v) -> provenance.add(Map.of("key", k, "value", v)));
            provenance.add(Map.of("key", "seed", "value", String.valueOf(results.provenance().seed())));
            provenance.add(Map.of("key", "locus", "value", results.provenance().locusVersion() + " (" + results.provenance().gitCommit() + ")"));
            provenance.add(Map.of("key", "DJL / PyTorch", "value", results.provenance().djlVersion() + " / " + results.provenance().pytorchVersion()));
            provenance.add(Map.of("key", "matrix products", "value", results.provenance().matmul()));
            provenance.add(Map.of("key", "machine", "value", results.provenance().machine()));
            scope.put("provenance", provenance);
            atomically(dir.resolve(HTML), template("report.html.mustache", true).execute(scope));
            atomically(dir.resolve(MARKDOWN), template("report.md.mustache", false).execute(scope));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report under " + dir, e);
        }
    }

    private static Map<String, Object> section(String id, String title, ClaimResult result, Chart<?, ?> chart, String howToRead, Path dir)
            throws IOException {
        Files.write(dir.resolve("charts").resolve(id + ".png"), Charts.png(chart));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", id);
        s.put("title", title);
        s.put("verdict", result.verdict().label());
        s.put("expected", result.expected().label());
        s.put("asExpected", result.asExpected());
        s.put("reason", result.reason());
        s.put("peakLayer", result.peakLayer());
        List<Map<String, String>> checks = new ArrayList<>();
        for (Check c : result.checks()) {
            checks.add(Map.of("what", c.what(), "value", String.format(Locale.ROOT, "%.4g", c.value()), "comparison", c.comparison(),
                    "threshold", String.format(Locale.ROOT, "%.4g", c.threshold()), "passed", c.passed() ? "yes" : "no"));
        }
        s.put("checks", checks);
        s.put("svg", Charts.svg(chart));
        s.put("png", "charts/" + id + ".png");
        s.put("howToRead", howToRead);
        return s;
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
