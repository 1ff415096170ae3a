package dev.locus.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import dev.locus.LocusException;
import dev.locus.TestFixtures;
import dev.locus.claims.Expectations;
import dev.locus.fixtures.Fixture;
import dev.locus.fixtures.RandomCheckpoint;
import dev.locus.model.Checkpoint;
import dev.locus.model.DType;
import dev.locus.model.DecoderConfig;
import dev.locus.patching.Prompted;
import dev.locus.patching.Sweep;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to a measurement: refused before any number is computed, naming the file and field; what a plan holds. */
class PlanTest {
    private static final Path LOCALIZED = Path.of("expectations/fixture-localized.yaml");
    private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @TempDir
    Path tmp;

    private static Subject subject(Path base, Path tuned) {
        return new Subject("bad", base, tuned, TestFixtures.SHIPPED_PAIRS, LOCALIZED);
    }

    private static Measurement measure(Path base, Path tuned) {
        Plan plan = Plan.of(subject(base, tuned), Expectations.read(LOCALIZED).protocol(), Device.cpu());
        return plan.measure(QUIET, Journal.none(), new LinkedHashMap<>());
    }

    @Test
    void differentTokenizersAreRefused() {
        Path base = TestFixtures.of(Fixture.Kind.LOCALIZED).resolve("base");
        Path other = tmp.resolve("tiny");
        RandomCheckpoint.write(other, RandomCheckpoint.Shape.TINY.config(), DType.F32, 1);
        LocusException e = assertThrows(LocusException.class, () -> measure(base, other));
        assertThat(e.getMessage()).contains(other.resolve(Checkpoint.TOKENIZER_FILE).toString(), "(tokenizer)", "differs from the base's");
    }

    @Test
    void differentShapesAreRefused() throws IOException {
        Path base = TestFixtures.of(Fixture.Kind.LOCALIZED).resolve("base");
        DecoderConfig fixture = DecoderConfig.read(base);
        Path deeper = tmp.resolve("deeper");
        RandomCheckpoint.write(deeper, new DecoderConfig(fixture.hiddenSize(), fixture.intermediateSize(), fixture.numLayers() + 1,
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
                () -> measure(TestFixtures.of(Fixture.Kind.LOCALIZED).resolve("base"), missing));
        assertThat(e.getMessage()).contains(missing.toString());
    }

    @Test
    void aPeakLayerOutsideTheModelIsRefusedNamingTheField() {
        Path fixture = TestFixtures.of(Fixture.Kind.LOCALIZED);
        Expectations deep = Expectations.read(LOCALIZED).overriddenBy(null, null, null, 8);
        LocusException e = assertThrows(LocusException.class,
                () -> Plan.of(subject(fixture.resolve("base"), fixture.resolve("tuned")), deep.protocol(), Device.cpu()));
        assertEquals("run.peak_layer", e.field());
        assertThat(e.getMessage()).contains(LOCALIZED.toString(), "layers 0..7");
    }

    /**
     * The synthetic plan (the benchmark's) samples and splits exactly as the real one: the same
     * pairs, the same held-out ones, each pair as long as the estimate and led by BOS.
     */
    @Test
    void aSyntheticPlanSamplesAndSplitsAsTheRealOne() {
        Path fixture = TestFixtures.of(Fixture.Kind.LOCALIZED);
        Subject subject = subject(fixture.resolve("base"), fixture.resolve("tuned"));
        Protocol protocol = Expectations.read(LOCALIZED).overriddenBy(20, 3L, null, null).protocol();
        Plan real = Plan.of(subject, protocol, Device.cpu());
        DecoderConfig config = DecoderConfig.read(fixture.resolve("base"));
        Plan synthetic = Plan.synthetic(subject, protocol, config, new SyntheticTokens(4.0, 3), Device.cpu());
        assertEquals(real.pairs().stream().map(Prompted::id).toList(), synthetic.pairs().stream().map(Prompted::id).toList());
        assertThat(synthetic.heldOut()).isEqualTo(real.heldOut());
        assertThat(real.heldOutCount()).isEqualTo(10);
        for (Prompted p : synthetic.pairs()) {
            assertEquals(config.bosTokenId(), p.prompt()[0]);
        }
        assertThat(synthetic.provenance().config().get("format")).startsWith("synthetic");
    }
}
