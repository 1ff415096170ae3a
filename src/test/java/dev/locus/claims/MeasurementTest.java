package dev.locus.claims;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locus.LocusException;
import dev.locus.fixtures.Fixture;
import dev.locus.fixtures.RandomCheckpoint;
import dev.locus.model.Checkpoint;
import dev.locus.model.DType;
import dev.locus.model.LlamaConfig;
import dev.locus.patching.Sweep;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to a claims run: refused before any number is computed, naming the file and field. */
class MeasurementTest {
    private static final Path LOCALIZED = Path.of("expectations/fixture-localized.yaml");
    private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @TempDir
    Path tmp;

    private static Measurement measure(Path base, Path tuned) {
        return Measurement.measure(new Measurement.Subject("bad", base, tuned, ClaimSubjects.DEFAULT_PAIRS, LOCALIZED),
                Expectations.read(LOCALIZED), QUIET);
    }

    @Test
    void differentTokenizersAreRefused() {
        Path base = ClaimSubjects.fixture(Fixture.Kind.LOCALIZED).resolve("base");
        Path other = tmp.resolve("tiny");
        RandomCheckpoint.write(other, RandomCheckpoint.Shape.TINY.config(), DType.F32, 1);
        LocusException e = assertThrows(LocusException.class, () -> measure(base, other));
        assertThat(e.getMessage()).contains(other.resolve(Checkpoint.TOKENIZER_FILE).toString(), "(tokenizer)", "differs from the base's");
    }

    @Test
    void differentShapesAreRefused() throws IOException {
        Path base = ClaimSubjects.fixture(Fixture.Kind.LOCALIZED).resolve("base");
        LlamaConfig fixture = LlamaConfig.read(base);
        Path deeper = tmp.resolve("deeper");
        RandomCheckpoint.write(deeper, new LlamaConfig(fixture.hiddenSize(), fixture.intermediateSize(), fixture.numLayers() + 1,
                fixture.numHeads(), fixture.numKvHeads(), fixture.headDim(), fixture.rmsNormEps(), fixture.ropeTheta(),
                fixture.ropeScaling(), fixture.tieWordEmbeddings(), fixture.vocabSize(), fixture.maxPositionEmbeddings(),
                fixture.bosTokenId(), fixture.eosTokenIds()), DType.F32, 2);
        Files.copy(base.resolve(Checkpoint.TOKENIZER_FILE), deeper.resolve(Checkpoint.TOKENIZER_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Sweep.ModelMismatchException e = assertThrows(Sweep.ModelMismatchException.class, () -> measure(base, deeper));
        assertThat(e.field()).isEqualTo("num_hidden_layers");
        assertThat(e.getMessage()).contains(deeper.toString());
    }

    @Test
    void missingCheckpointIsNamed() {
        Path missing = tmp.resolve("no-such-model");
        LocusException e = assertThrows(LocusException.class,
                () -> measure(ClaimSubjects.fixture(Fixture.Kind.LOCALIZED).resolve("base"), missing));
        assertThat(e.getMessage()).contains(missing.toString());
    }

    /**
     * A gate that cannot fail proves nothing: the diffuse fixture, held to the localized fixture's
     * expectations, misses them, and each miss names the claim, the number and the threshold.
     */
    @Test
    void diffuseAgainstLocalizedExpectationsNamesWhatFailed() {
        Measurement.Subject diffuse = ClaimSubjects.all().stream().filter(s -> s.name().equals("fixture-diffuse")).findFirst().orElseThrow();
        Measurement m = ClaimSubjects.measured(diffuse).measurement();
        Expectations localized = Expectations.read(LOCALIZED);
        List<ClaimResult> results = List.of(AsymmetryClaim.evaluate(m, localized), DoseResponseClaim.evaluate(m, localized),
                LowRankClaim.evaluate(m, localized), SparseAttributionClaim.evaluate(m, localized));
        List<String> mismatches = results.stream().filter(r -> !r.asExpected()).map(ClaimResult::mismatch).collect(Collectors.toList());
        System.err.println("locus claims: diffuse held to fixture-localized.yaml: " + mismatches);
        assertThat(mismatches).anySatisfy(s -> assertThat(s).startsWith("low_rank: expected holds, found fails: ").contains("misses"));
        assertThat(mismatches).anySatisfy(s -> assertThat(s).startsWith("sparse_attribution: expected holds, found fails: ").contains("misses"));
    }
}
