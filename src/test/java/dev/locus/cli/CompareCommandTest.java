package dev.locus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.Sha256;
import dev.locus.TestFixtures;
import dev.locus.claims.Claims;
import dev.locus.claims.Results;
import dev.locus.fixtures.Fixture;
import dev.locus.model.Family;
import dev.locus.report.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/locus compare} and {@code reproduce --baseline} on real runs: the localized fixture,
 * and the same fixture with its answer planted two layers deeper, as a retrained checkpoint might
 * move it. 20 pairs keep each run to seconds (some claims miss their thresholds on so few pairs,
 * so a run's own exit code is not what these tests are about).
 */
class CompareCommandTest {
    private static final String PAIRS = "20";

    @TempDir
    static Path tmp;

    private static Path accepted;
    private static Path moved;
    private static String movedLog;

    @BeforeAll
    static void runs() {
        Path localized = TestFixtures.of(Fixture.Kind.LOCALIZED);
        Path deeper = tmp.resolve("deeper");
        Fixture.generate(Fixture.Kind.LOCALIZED, TestFixtures.SEED, 5, Family.LLAMA, TestFixtures.SHIPPED_PAIRS, deeper);
        accepted = tmp.resolve("accepted");
        moved = tmp.resolve("moved");
        Cli.run("reproduce", "--base", localized.resolve("base").toString(), "--tuned", localized.resolve("tuned").toString(), "--n", PAIRS,
                "--out", accepted.toString());
        Cli m = Cli.run("reproduce", "--base", deeper.resolve("base").toString(), "--tuned", deeper.resolve("tuned").toString(), "--n", PAIRS,
                "--baseline", accepted.toString(), "--out", moved.toString());
        assertEquals(ReproduceCommand.CLAIM_MISSED, m.code(), m.err());
        movedLog = m.err();
    }

    @Test
    void aRunComparedWithItselfPasses() {
        Cli r = Cli.run("compare", accepted.toString(), accepted.resolve(Results.FILE).toString());
        assertEquals(0, r.code(), r.err());
        assertThat(r.out()).contains("quantity", "peak layer L*").doesNotContain("REGRESSION");
        assertThat(r.err()).contains("no regression");
    }

    @Test
    void aPeakMovedByTwoLayersIsARegressionNamedWithBothValues() throws IOException {
        Path json = tmp.resolve("comparison.json");
        Cli r = Cli.run("compare", accepted.toString(), moved.toString(), "--out", json.toString());
        assertEquals(CompareCommand.REGRESSED, r.code(), r.err());
        assertThat(r.err()).contains("REGRESSION: peak layer L* (argmax f_L): 3 -> 5");
        JsonNode written = new ObjectMapper().readTree(json.toFile());
        assertThat(written.get("baseline_sha256").asText()).isEqualTo(Sha256.of(accepted.resolve(Results.FILE)));
        assertThat(written.get("drift").findValuesAsText("what")).anySatisfy(w -> assertThat(w).startsWith("peak layer"));
        assertEquals(Main.BAD_INPUT, Cli.run("compare", accepted.toString(), moved.toString(), "--out", json.toString()).code(),
                "an existing --out is never overwritten");
    }

    @Test
    void reproduceWithABaselineNamesTheRegressionAndDrawsTheOverlay() throws IOException {
        assertThat(movedLog).contains("against the baseline", "peak layer L* (argmax f_L): 3 -> 5", "REGRESSION");
        JsonNode results = new ObjectMapper().readTree(moved.resolve(Results.FILE).toFile());
        assertThat(results.get("baseline").get("baseline_sha256").asText()).isEqualTo(Sha256.of(accepted.resolve(Results.FILE)));
        assertThat(results.get("command").asText()).contains("--baseline " + accepted);
        String html = Files.readString(moved.resolve(Report.HTML));
        assertThat(html).contains("<section id=\"baseline\">", "<table id=\"drift\">", "REGRESSION");
        long drawn;
        try (var charts = Files.list(moved.resolve("charts"))) {
            drawn = charts.count();
        }
        assertThat(Pattern.compile("<svg").matcher(html).results().count()).as("one inline chart per chart drawn").isEqualTo(drawn)
                .isGreaterThanOrEqualTo(2L * Claims.ALL.size() - 1);
        assertThat(Files.readString(moved.resolve(Report.MARKDOWN))).contains("## Against the baseline", "charts/baseline-dose_response.png");
        assertThat(moved.resolve("charts").resolve("baseline-asymmetry.png")).isNotEmptyFile();
    }

    @Test
    void runsThatCannotBeComparedAreBadInputNamingWhatDiffers() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode other = (ObjectNode) json.readTree(accepted.resolve(Results.FILE).toFile());
        ((ObjectNode) other.get("provenance")).put("seed", 2);
        Path reseeded = tmp.resolve("reseeded.json");
        json.writeValue(reseeded.toFile(), other);
        Cli seed = Cli.run("compare", accepted.toString(), reseeded.toString());
        assertEquals(Main.BAD_INPUT, seed.code());
        assertThat(seed.err()).contains("not comparable", "seed: baseline 1, this run 2");
        Cli missing = Cli.run("compare", tmp.resolve("nowhere").toString(), accepted.toString());
        assertEquals(Main.BAD_INPUT, missing.code());
        assertThat(missing.err()).contains(tmp.resolve("nowhere").toString());
    }

    /** A baseline that cannot serve is refused before the run, and no run folder is made. */
    @Test
    void reproduceRefusesAnUnreadableBaselineUpFront() {
        Path localized = TestFixtures.of(Fixture.Kind.LOCALIZED);
        Path out = tmp.resolve("never");
        Cli r = Cli.run("reproduce", "--base", localized.resolve("base").toString(), "--tuned", localized.resolve("tuned").toString(),
                "--baseline", tmp.resolve("nowhere").toString(), "--out", out.toString());
        assertEquals(Main.BAD_INPUT, r.code());
        assertThat(r.err()).contains("nowhere", "no such results file");
        assertThat(out).doesNotExist();
        Cli other = Cli.run("reproduce", "--base", localized.resolve("base").toString(), "--tuned", localized.resolve("tuned").toString(),
                "--n", "30", "--baseline", accepted.toString(), "--out", out.toString());
        assertEquals(Main.BAD_INPUT, other.code());
        assertThat(other.err()).contains("not comparable", "pairs:", "expectations differ in run");
        assertThat(out).doesNotExist();
    }
}
