package dev.locus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locus.TestFixtures;
import dev.locus.claims.Results;
import dev.locus.fixtures.Fixture;
import dev.locus.hub.LoopbackHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/locus reproduce} with checkpoints named on a Hub (on loopback, HF_ENDPOINT), in its own
 * JVM as a user runs it: the same measurement as the same files given as folders, both commits in
 * the provenance, and the command results.json records measures the same bytes after the branch moved.
 */
class ReproduceFromTheHubTest {
    private static final String PAIRS = "12";
    private static final String BASE_COMMIT = "1111111111111111111111111111111111111111";
    private static final String TUNED_COMMIT = "2222222222222222222222222222222222222222";
    private static final String MOVED_COMMIT = "3333333333333333333333333333333333333333";

    @TempDir
    static Path tmp;

    private static LoopbackHub hub;
    private static Path fixture;

    @BeforeAll
    static void publish() throws IOException {
        fixture = TestFixtures.of(Fixture.Kind.LOCALIZED);
        hub = new LoopbackHub();
        hub.publish("locus-test/base", "main", BASE_COMMIT, fixture.resolve("base"));
        hub.publish("locus-test/base", "v1", BASE_COMMIT, fixture.resolve("base"));
        hub.publish("locus-test/tuned", "main", TUNED_COMMIT, fixture.resolve("tuned"));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static int run(List<String> args, Path log) throws IOException, InterruptedException {
        return run(args, log, Map.of());
    }

    private static int run(List<String> args, Path log, Map<String, String> env) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HF_") || k.startsWith("HUGGING") || k.equals("TRANSFORMERS_OFFLINE"));
        pb.environment().putAll(Map.of("HF_ENDPOINT", hub.endpoint().toString(), "HF_HUB_CACHE", tmp.resolve("hub-cache").toString(),
                "HF_HOME", tmp.resolve("hf-home").toString()));
        pb.environment().putAll(env);
        return pb.start().waitFor();
    }

    private static List<String> reproduce(String base, String tuned, Path out) {
        return List.of("reproduce", "--base", base, "--tuned", tuned, "--expect", "expectations/fixture-localized.yaml", "--n", PAIRS,
                "--out", out.toString());
    }

    @Test
    void marginTakesHubNamesAndRecordsTheirCommits() throws IOException, InterruptedException {
        Path out = tmp.resolve("margins.jsonl");
        assertThat(run(List.of("margin", "--recipient", "locus-test/base", "--donor", "locus-test/tuned@" + TUNED_COMMIT, "--pairs",
                TestFixtures.SHIPPED_PAIRS.toString(), "--limit", "2", "--out", out.toString()), tmp.resolve("margin.log"))).isZero();
        JsonNode config = new ObjectMapper().readTree(tmp.resolve("margins.jsonl.provenance.json").toFile()).get("config");
        assertThat(config.get("recipient_hub_repo").asText()).isEqualTo("locus-test/base");
        assertThat(config.get("recipient_hub_commit").asText()).isEqualTo(BASE_COMMIT);
        assertThat(config.get("donor_hub_revision").asText()).isEqualTo(TUNED_COMMIT);
    }

    @Test
    void aCheckpointTheHubRefusesIsExitTwoWithOneLine() throws IOException, InterruptedException {
        hub.publish("locus-test/gated", "main", BASE_COMMIT, fixture.resolve("base")).gate("locus-test/gated", "hf_right");
        Path log = tmp.resolve("gated.log");
        List<String> trace = List.of("trace", "--model", "locus-test/gated", "--ids", "1,2", "--out", tmp.resolve("t.json").toString());

        assertThat(run(trace, log)).isEqualTo(Main.BAD_INPUT);
        assertThat(Files.readAllLines(log)).containsExactly("locus: locus-test/gated@main: config.json: is gated (401): accept its licence on "
                + hub.endpoint() + "/locus-test/gated and set HF_TOKEN to a token of that account");

        assertThat(run(trace, log, Map.of("HF_HUB_OFFLINE", "1"))).isEqualTo(Main.BAD_INPUT);
        assertThat(Files.readAllLines(log)).singleElement().asString().startsWith("locus: locus-test/gated@main: HF_HUB_OFFLINE: offline");

        assertThat(run(trace, log, Map.of("HF_TOKEN", "hf_right"))).isZero();
        assertThat(new ObjectMapper().readTree(tmp.resolve("t.json").toFile()).get("provenance").get("config").get("model_hub_commit").asText())
                .isEqualTo(BASE_COMMIT);
    }

    @Test
    void hubNamesMeasureWhatTheSameFoldersMeasureAndTheCommandPinsTheCommits() throws IOException, InterruptedException {
        Path folders = tmp.resolve("folders");
        Path named = tmp.resolve("named");
        assertThat(run(reproduce(fixture.resolve("base").toString(), fixture.resolve("tuned").toString(), folders), tmp.resolve("folders.log")))
                .isIn(ReproduceCommand.ALL_MET, ReproduceCommand.CLAIM_MISSED);
        assertThat(run(reproduce("locus-test/base@v1", "locus-test/tuned", named), tmp.resolve("named.log")))
                .as(Files.readString(tmp.resolve("named.log"))).isIn(ReproduceCommand.ALL_MET, ReproduceCommand.CLAIM_MISSED);

        ObjectMapper json = new ObjectMapper();
        JsonNode byFolder = json.readTree(folders.resolve(Results.FILE).toFile());
        JsonNode byName = json.readTree(named.resolve(Results.FILE).toFile());
        assertThat(byName.get("measurement")).isEqualTo(byFolder.get("measurement"));
        assertThat(byName.get("claims")).isEqualTo(byFolder.get("claims"));
        JsonNode config = byName.get("provenance").get("config");
        assertThat(config.get("base_hub_repo").asText()).isEqualTo("locus-test/base");
        assertThat(config.get("base_hub_revision").asText()).isEqualTo("v1");
        assertThat(config.get("base_hub_commit").asText()).isEqualTo(BASE_COMMIT);
        assertThat(config.get("tuned_hub_repo").asText()).isEqualTo("locus-test/tuned");
        assertThat(config.get("tuned_hub_revision").asText()).isEqualTo("main");
        assertThat(config.get("tuned_hub_commit").asText()).isEqualTo(TUNED_COMMIT);
        assertThat(byName.get("provenance").get("sha256")).isEqualTo(byFolder.get("provenance").get("sha256"));
        String command = byName.get("command").asText();
        assertThat(command).contains("--base locus-test/base@" + BASE_COMMIT, "--tuned locus-test/tuned@" + TUNED_COMMIT);
        assertThat(Files.readString(named.resolve("report.html"))).contains(
                "base: <code>locus-test/base</code> at <code>v1</code>, commit <code>" + BASE_COMMIT + "</code>",
                "tuned: <code>locus-test/tuned</code> at <code>main</code>, commit <code>" + TUNED_COMMIT + "</code>");
        assertThat(Files.readString(named.resolve("report.md"))).contains("tuned: `locus-test/tuned` at `main`, commit `" + TUNED_COMMIT + "`");
        assertThat(Files.readString(folders.resolve("report.html"))).doesNotContain("(Hugging Face Hub)");

        // tuned's main moves to other weights; the recorded command still measures the first commit
        hub.publish("locus-test/tuned", "main", MOVED_COMMIT, TestFixtures.of(Fixture.Kind.DIFFUSE).resolve("tuned"));
        Path again = tmp.resolve("again");
        List<String> words = new ArrayList<>(Arrays.asList(command.split(" ")));
        words.set(words.indexOf("NEW_RUN_FOLDER"), again.toString());
        hub.forget();
        assertThat(run(words.subList(1, words.size()), tmp.resolve("again.log"))).isIn(ReproduceCommand.ALL_MET, ReproduceCommand.CLAIM_MISSED);
        assertThat(json.readTree(again.resolve(Results.FILE).toFile()).get("measurement")).isEqualTo(byFolder.get("measurement"));
        assertThat(hub.seen()).as("pinned commits the cache holds: no request").isEmpty();
    }
}
