package dev.locus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locus.TestFixtures;
import dev.locus.fixtures.Fixture;
import dev.locus.claims.Claim;
import dev.locus.claims.Claims;
import dev.locus.claims.Results;
import dev.locus.patching.SteeringFile;
import dev.locus.report.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/locus reproduce} as a user meets it, in separate JVMs where a kill matters: same
 * inputs give the same results.json, a run killed (SIGKILL) at several points and resumed gives
 * the same results.json too, and run folders are never overwritten.
 */
class ReproduceCommandTest {
    /** Small but above the claims' minimum, so each run takes seconds. */
    private static final String PAIRS = "12";

    @TempDir
    static Path tmp;

    private static Path fixture;

    /** Whether the two uninterrupted runs (tmp/first, tmp/second) have been made. */
    private static boolean uninterrupted;

    @BeforeAll
    static void fixture() {
        fixture = TestFixtures.of(Fixture.Kind.LOCALIZED);
    }

    /**
     * Two uninterrupted runs of the same inputs, side by side (a fixture's products are too small to
     * keep two cores busy), made once for the tests that read them.
     */
    private static synchronized void runUninterrupted() throws IOException, InterruptedException {
        if (uninterrupted) {
            return;
        }
        Process first = start(tmp.resolve("first"), false);
        Process second = start(tmp.resolve("second"), false);
        assertFinished(first.waitFor(), "uninterrupted run");
        assertFinished(second.waitFor(), "second uninterrupted run");
        uninterrupted = true;
    }

    private static Process start(Path out, boolean resume) throws IOException {
        return new ProcessBuilder(command(out, resume)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve(out.getFileName() + ".log").toFile())).start();
    }

    private static List<String> command(Path out, boolean resume) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> c = new ArrayList<>(List.of(java, "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "reproduce", "--base", fixture.resolve("base").toString(), "--tuned", fixture.resolve("tuned").toString(),
                "--expect", "expectations/fixture-localized.yaml", "--n", PAIRS, "--out", out.toString()));
        if (resume) {
            c.add("--resume");
        }
        return c;
    }

    private static int runToEnd(Path out, boolean resume) throws IOException, InterruptedException {
        return start(out, resume).waitFor();
    }

    /**
     * A run that reached its results exits 0 or 1 by its verdicts; these tests are about runs, not
     * verdicts (12 pairs are fewer than the expectations are written for). Anything else (2, a
     * crash) is a run that did not finish.
     */
    private static void assertFinished(int exitCode, String run) {
        assertThat(exitCode).as("%s's exit code", run).isIn(ReproduceCommand.ALL_MET, ReproduceCommand.CLAIM_MISSED);
    }

    /** Starts a run and kills it (SIGKILL) once its journal holds {@code lines} lines. */
    private static void killAfter(Path out, boolean resume, int lines) throws IOException, InterruptedException {
        Process p = start(out, resume);
        Path journal = out.resolve(ReproduceCommand.JOURNAL);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (p.isAlive() && System.nanoTime() < deadline) {
            if (Files.exists(journal) && Files.readAllLines(journal).size() >= lines) {
                p.destroyForcibly();
                break;
            }
            Thread.sleep(20);
        }
        p.waitFor();
        assertThat(Files.exists(out.resolve(Results.FILE))).as("killed before the end, after %d journal lines", lines).isFalse();
    }

    @Test
    void sameInputsGiveTheSameResultsKilledOrNot() throws IOException, InterruptedException {
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        Path killed = tmp.resolve("killed");
        runUninterrupted();
        // 12 pairs: journal lines 2-13 the layer sweeps, 14-25 the dose, 26 the SVD, 27-32 the subspaces.
        killAfter(killed, false, 6);
        killAfter(killed, true, 18);
        killAfter(killed, true, 28);
        assertFinished(runToEnd(killed, true), "resumed run");
        String expected = Files.readString(first.resolve(Results.FILE));
        assertEquals(expected, Files.readString(second.resolve(Results.FILE)), "two uninterrupted runs");
        assertEquals(expected, Files.readString(killed.resolve(Results.FILE)), "a run killed three times and resumed");
        JsonNode results = new ObjectMapper().readTree(expected);
        assertThat(results.get("claims").get("asymmetry").get("outcome").get("verdict").asText()).isIn("holds", "fails");
        assertThat(results.get("measurement").get("sample").get("ids")).hasSize(12);
        assertThat(Files.readString(tmp.resolve("killed.log"))).contains("already in the journal");
    }

    /** README's next step: the run's exported vector steers the base model's continuations in bin/locus generate. */
    @Test
    void theRunsSteeringVectorSteersGenerate() throws IOException, InterruptedException {
        runUninterrupted();
        Path vector = tmp.resolve("first").resolve(SteeringFile.FILE);
        Cli run = Cli.run("generate", "--model", fixture.resolve("base").toString(), "--steer", vector.toString(), "--scale", "1",
                "--pairs", TestFixtures.SHIPPED_PAIRS.toString(), "--limit", "1", "--max-new-tokens", "4");
        assertEquals(0, run.code(), run.err());
        assertThat(run.out()).contains("model:   ", "steered: ", "(c = 1.0 x " + vector + " at block_out.");
    }

    /** One self-contained page: the verdict table, an inline chart per claim, nothing fetched from anywhere. */
    @Test
    void reportIsSelfContained() throws IOException, InterruptedException {
        runUninterrupted();
        Path out = tmp.resolve("first");
        String html = Files.readString(out.resolve(Report.HTML));
        List<String> claims = Claims.ALL.stream().map(Claim::name).toList();
        assertThat(html).contains("<table id=\"verdicts\">", "What the steered base says").contains(claims);
        assertThat(Pattern.compile("<svg").matcher(html).results().count()).isEqualTo(claims.size());
        Matcher external = Pattern.compile("(?i)(src|href)\\s*=\\s*[\"']?(https?:|//)|url\\(\\s*[\"']?(https?:|//)|@import|<link|<script")
                .matcher(html);
        assertThat(external.find()).as("an external reference in report.html: %s", external.hitEnd() ? "" : external.group()).isFalse();
        for (String chart : claims) {
            assertThat(out.resolve("charts").resolve(chart + ".png")).isNotEmptyFile();
        }
        assertThat(Files.readString(out.resolve(Report.MARKDOWN))).contains("| claim | verdict | expected | why |");
        JsonNode timings = new ObjectMapper().readTree(out.resolve("timings.json").toFile());
        assertThat(timings.has("total")).isTrue();
        assertThat(timings.path("peak_rss_bytes").asLong()).isGreaterThanOrEqualTo(timings.path("anonymous_rss_bytes").asLong()).isPositive();
    }

    @Test
    void aRunFolderIsNeverOverwritten() throws IOException {
        Path used = tmp.resolve("used");
        Files.createDirectories(used);
        Files.writeString(used.resolve("keep.txt"), "earlier results");
        Cli r = Cli.run("reproduce", "--base", fixture.resolve("base").toString(), "--tuned", fixture.resolve("tuned").toString(),
                "--out", used.toString());
        assertEquals(Main.BAD_INPUT, r.code());
        assertThat(r.err()).contains("never overwritten");
        assertThat(Files.readString(used.resolve("keep.txt"))).isEqualTo("earlier results");
    }

    @Test
    void outputPathsAreCheckedUpFront() throws IOException {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        assertEquals(Main.BAD_INPUT, Main.run("reproduce", "--out", file.toString()));
        assertEquals(Main.BAD_INPUT, Main.run("reproduce", "--out", file.resolve("run").toString()));
        assertEquals(Main.BAD_INPUT, Main.run("reproduce", "--out", tmp.resolve("fresh").toString(), "--resume"));
        assertEquals(Main.BAD_INPUT, Main.run("reproduce", "--base", fixture.resolve("base").toString(), "--out", tmp.resolve("x").toString()));
    }

    /** No CUDA libtorch here: asking for a GPU is refused up front, naming the option, before any folder is made. */
    @Test
    void aGpuThatIsNotThereIsRefusedUpFront() {
        Path out = tmp.resolve("gpu-run");
        Cli gpu = Cli.run("reproduce", "--device", "gpu", "--out", out.toString());
        Cli unknown = Cli.run("reproduce", "--device", "tpu", "--out", out.toString());
        assertEquals(Main.BAD_INPUT, gpu.code());
        assertEquals(Main.BAD_INPUT, unknown.code());
        assertThat(gpu.err()).contains("--device").contains("no CUDA device visible");
        assertThat(unknown.err()).contains("\"tpu\"");
        assertThat(out).doesNotExist();
    }

    /** --site names a site; --point, its old name, is still read, but not beside --site, and no other site is taken. */
    @Test
    void sitesAreNamedAndTheOldFlagIsNotMixedWithTheNew() {
        Path out = tmp.resolve("site-run");
        Cli inside = Cli.run("reproduce", "--site", "attn_out", "--out", out.toString());
        Cli both = Cli.run("reproduce", "--point", "block_out", "--site", "resid_post", "--out", out.toString());
        assertEquals(Main.BAD_INPUT, inside.code());
        assertEquals(Main.BAD_INPUT, both.code());
        assertThat(inside.err()).contains("--site: expected block_out or resid_post, found \"attn_out\"");
        assertThat(both.err()).contains("--point is the old name of --site");
        assertThat(out).doesNotExist();
    }
}
