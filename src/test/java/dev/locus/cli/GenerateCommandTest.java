package dev.locus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.locus.TestFixtures;
import dev.locus.fixtures.Fixture;
import dev.locus.model.Point;
import dev.locus.patching.SteeringFile;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/locus generate} as a user runs it: prompts from a pairs file and from the command line, with and without a vector. */
class GenerateCommandTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void fixture() {
        model = TestFixtures.of(Fixture.Kind.LOCALIZED).resolve("base");
    }

    private static Path vector(String modelType, int hidden, int layer, Double best) {
        Random random = new Random(hidden * 31L + layer);
        float[] v = new float[hidden];
        for (int i = 0; i < hidden; i++) {
            v[i] = (float) (3 * random.nextGaussian());
        }
        Path file = tmp.resolve(modelType + "-" + hidden + "-" + layer + "-" + best + ".safetensors");
        new SteeringFile(modelType, hidden, 8, Point.blockOut(layer), 1, best, v, v.clone(), "{}").write(file);
        return file;
    }

    @Test
    void continuesPairsPromptsWithAndWithoutTheVector() {
        Path steer = vector("llama", 128, 3, 2.0);
        Cli run = Cli.run("generate", "--model", model.toString(), "--steer", steer.toString(), "--pairs",
                TestFixtures.SHIPPED_PAIRS.toString(), "--limit", "2", "--max-new-tokens", "8");
        assertEquals(0, run.code(), run.err());
        assertThat(run.out().lines().filter(l -> l.startsWith("== ")).count()).isEqualTo(2);
        assertThat(run.out().lines().filter(l -> l.startsWith("model:   ")).count()).isEqualTo(2);
        assertThat(run.out()).contains("(c = 2.0 x " + steer + " at block_out.3)");
        Cli plain = Cli.run("generate", "--model", model.toString(), "--prompt", "\n\nHuman: Hello?\n\nAssistant:", "--max-new-tokens", "8");
        assertEquals(0, plain.code(), plain.err());
        assertThat(plain.out()).contains("== prompt-1").doesNotContain("steered:");
    }

    @Test
    void aVectorOfAnotherHiddenSizeFamilyOrDepthIsRefusedInOneLine() {
        for (Path other : new Path[] {vector("llama", 64, 3, 1.0), vector("qwen2", 128, 3, 1.0), vector("llama", 128, 40, 1.0)}) {
            Cli run = Cli.run("generate", "--model", model.toString(), "--steer", other.toString(), "--prompt", "Hi");
            assertEquals(Main.BAD_INPUT, run.code(), run.err());
            assertThat(run.err().lines().toList()).hasSize(1).first().asString().startsWith("locus: " + other + ": __metadata__.");
        }
        Cli none = Cli.run("generate", "--model", model.toString(), "--steer", vector("llama", 128, 3, null).toString(), "--prompt", "Hi");
        assertEquals(Main.BAD_INPUT, none.code());
        assertThat(none.err()).contains("__metadata__.best_scale", "give --scale");
    }
}
