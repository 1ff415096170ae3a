package dev.locus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The GitHub workflows a user adopts run what this checkout has: every workflow parses as YAML,
 * every {@code bin/locus} command a step runs is one of the CLI's, every script it runs exists,
 * and every {@code -Dlocus.*} property it passes is one the gate reads.
 */
class WorkflowsTest {
    private static final Path WORKFLOWS = Path.of(".github/workflows");
    /** The properties the claim specs read (ClaimSubjects), the gate's whole interface. */
    private static final Set<String> GATE_PROPERTIES = Set.of("base", "tuned", "pairs", "expectations", "baseline");
    private static final Pattern LOCUS = Pattern.compile("bin/locus\\s+([a-z][a-z-]*)");
    private static final Pattern PROPERTY = Pattern.compile("-Dlocus\\.([a-z_]+)=");
    private static final Pattern SCRIPT = Pattern.compile("(?:bash\\s+)?(\\.ci/[\\w.-]+|bin/[\\w.-]+)");

    private static List<Path> workflows() throws IOException {
        try (Stream<Path> files = Files.list(WORKFLOWS)) {
            return files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static List<String> runs(JsonNode workflow) {
        List<String> runs = new ArrayList<>();
        workflow.path("jobs").forEach(job -> job.path("steps").forEach(step -> {
            if (step.has("run")) {
                runs.add(step.get("run").asText());
            }
        }));
        return runs;
    }

    @Test
    void everyWorkflowParsesAndRunsOnlyWhatExists() throws IOException {
        Set<String> commands = new CommandLine(new Main()).getSubcommands().keySet();
        List<Path> files = workflows();
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("ci.yml", "claims.yml");
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        for (Path file : files) {
            JsonNode workflow = yaml.readTree(file.toFile());
            assertThat(workflow.path("jobs").size()).as(file + ": jobs").isPositive();
            List<String> runs = runs(workflow);
            assertThat(runs).as(file + ": steps that run something").isNotEmpty();
            for (String run : runs) {
                Matcher locus = LOCUS.matcher(run);
                while (locus.find()) {
                    assertThat(commands).as(file + ": bin/locus " + locus.group(1)).contains(locus.group(1));
                }
                Matcher property = PROPERTY.matcher(run);
                while (property.find()) {
                    assertThat(GATE_PROPERTIES).as(file + ": -Dlocus." + property.group(1)).contains(property.group(1));
                }
                Matcher script = SCRIPT.matcher(run);
                while (script.find()) {
                    assertThat(Path.of(script.group(1))).as(file + ": runs " + script.group(1)).isRegularFile();
                }
            }
        }
    }

    /** The gate workflow can be run by hand and called from another repository, with the same inputs. */
    @Test
    void theClaimsWorkflowIsDispatchableAndReusable() throws IOException {
        JsonNode on = new ObjectMapper(new YAMLFactory()).readTree(WORKFLOWS.resolve("claims.yml").toFile()).path("on");
        for (String trigger : List.of("workflow_dispatch", "workflow_call")) {
            JsonNode inputs = on.path(trigger).path("inputs");
            for (String input : List.of("base", "tuned", "pairs", "expectations", "baseline")) {
                assertThat(inputs.has(input)).as(trigger + " input " + input).isTrue();
            }
        }
        String text = Files.readString(WORKFLOWS.resolve("claims.yml"));
        assertThat(text).contains("mvn -B verify -Dgroups=claim", "GITHUB_STEP_SUMMARY", "actions/upload-artifact", "allure:report");
    }
}
