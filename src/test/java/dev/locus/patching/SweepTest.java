package dev.locus.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.Golden;
import dev.locus.Tolerance;
import dev.locus.model.Decoder;
import dev.locus.model.Point;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepTest {
    private static NDManager root;
    private static Decoder base;
    private static Decoder tuned;
    private static final int LAYERS = 4;

    @BeforeAll
    static void load() {
        root = NDManager.newBaseManager();
        base = Decoder.load(Golden.dir("tiny-f32-a"), root);
        tuned = Decoder.load(Golden.dir("tiny-f32-b"), root);
    }

    @AfterAll
    static void close() {
        root.close();
    }

    static List<Prompted> pairs(int n, long seed) {
        List<Prompted> pairs = new ArrayList<>();
        Random random = new Random(seed);
        for (int i = 0; i < n; i++) {
            pairs.add(new Prompted("pair" + i, random.ints(6 + random.nextInt(6), 0, 300).toArray(),
                    List.of(random.ints(3 + random.nextInt(4), 0, 300).toArray(), random.ints(3 + random.nextInt(4), 0, 300).toArray())));
        }
        return pairs;
    }

    static List<Sweep.Cell> residPostSweep() {
        List<Sweep.Cell> cells = new ArrayList<>();
        for (int l = 0; l < LAYERS; l++) {
            cells.add(new Sweep.Cell(Point.residPost(l), Intervention.replace(PatchPositions.ALL)));
        }
        return cells;
    }

    private static List<Sweep.PairResult> run(Schedule schedule, List<Prompted> pairs, List<Sweep.Cell> cells, List<Direction> directions) {
        List<Sweep.PairResult> results = new ArrayList<>();
        new Sweep(base, tuned, schedule).run(root, pairs, cells, directions, results::add);
        return results;
    }

    @Test
    void aFullLayerSweepOfOneDirectionMeetsTheCostBound() {
        for (Sweep.PairResult r : run(Schedule.CACHED, pairs(4, 1), residPostSweep(), List.of(Direction.TUNED_TO_BASE))) {
            double bound = (LAYERS + 1) / 2.0 + 1;
            assertThat(r.forwardEquivalents()).isLessThanOrEqualTo(bound);
            // The count is exact: two clean runs plus (N-1-L) blocks of a pair for the patch at L.
            assertEquals(2 + (LAYERS - 1) / 2.0, r.forwardEquivalents(), 1e-12);
            // Every run packs prompt, chosen and rejected into one pass.
            assertEquals(2L * LAYERS + LAYERS * (LAYERS - 1) / 2, r.blockEvaluations());
        }
    }

    @Test
    void theNaiveScheduleCostsMoreAndGivesTheSameMargins() {
        List<Prompted> pairs = pairs(3, 2);
        List<Direction> both = List.of(Direction.TUNED_TO_BASE, Direction.BASE_TO_TUNED);
        List<Sweep.PairResult> cached = run(Schedule.CACHED, pairs, residPostSweep(), both);
        List<Sweep.PairResult> naive = run(Schedule.NAIVE, pairs, residPostSweep(), both);
        for (int i = 0; i < pairs.size(); i++) {
            assertThat(naive.get(i).tokenBlocks()).isGreaterThan(2 * cached.get(i).tokenBlocks());
            for (int c = 0; c < cached.get(i).patched().size(); c++) {
                Sweep.Patched x = cached.get(i).patched().get(c);
                Sweep.Patched y = naive.get(i).patched().get(c);
                assertEquals(y.cell(), x.cell());
                assertEquals(y.margin().margin(), x.margin().margin(), Tolerance.SUM);
            }
        }
    }

    @Test
    void everyAblationRuns() {
        List<Prompted> pairs = pairs(3, 4);
        Point point = Point.parse("block_out.1");
        List<Sweep.Cell> cells = new ArrayList<>();
        for (Intervention ablation : List.of(new Intervention.Zero(1, PatchPositions.ALL), new Intervention.Mean(1, PatchPositions.ALL),
                new Intervention.Noise(1, 7, PatchPositions.ALL), new Intervention.Shuffled(1, 7, PatchPositions.ALL))) {
            cells.add(new Sweep.Cell(point, ablation));
        }
        List<Direction> both = List.of(Direction.TUNED_TO_BASE, Direction.BASE_TO_TUNED);
        List<Sweep.PairResult> cached = run(Schedule.CACHED, pairs, cells, both);
        List<Sweep.PairResult> naive = run(Schedule.NAIVE, pairs, cells, both);
        for (int i = 0; i < pairs.size(); i++) {
            for (int c = 0; c < cells.size() * 2; c++) {
                Sweep.Patched x = cached.get(i).patched().get(c);
                assertThat(x.margin().margin()).isFinite();
                assertThat(x.margin().margin()).isNotEqualTo(x.direction() == Direction.TUNED_TO_BASE
                        ? cached.get(i).base().margin() : cached.get(i).tuned().margin());
                assertEquals(naive.get(i).patched().get(c).margin().margin(), x.margin().margin(), Tolerance.SUM, x.cell().label());
            }
        }
    }

    @Test
    void zeroAlphaAblationIsTheRecipient() {
        List<Prompted> pairs = pairs(2, 5);
        List<Sweep.Cell> cells = List.of(new Sweep.Cell(Point.parse("mlp_out.2"),
                new Intervention.Zero(0.0, PatchPositions.ALL)));
        for (Sweep.PairResult r : run(Schedule.CACHED, pairs, cells, List.of(Direction.BASE_TO_TUNED))) {
            assertEquals(r.tuned().margin(), r.patched().get(0).margin().margin(), Tolerance.SUM);
        }
    }

    @Test
    void mismatchedModelsAreRefused(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("wider");
        dev.locus.fixtures.RandomCheckpoint.write(dir, dev.locus.fixtures.RandomCheckpoint.Shape.TINY.config(), dev.locus.model.DType.F32, 1);
        try (Decoder other = Decoder.load(dir, root)) {
            Sweep.ModelMismatchException e = assertThrows(Sweep.ModelMismatchException.class,
                    () -> new Sweep(base, other, Schedule.CACHED));
            assertEquals("vocab_size", e.field());
            assertThat(e.getMessage()).contains(dir.toString()).contains("261 differs from the other model's 300");
        }
        assertThat(Files.exists(dir)).isTrue();
    }

    /** A Mistral checkpoint of the same shapes computes something else at the same point names (its window). */
    @Test
    void modelsOfAnotherFamilyAreRefusedThoughEveryShapeMatches(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("mistral");
        Files.createDirectories(dir);
        Files.copy(Golden.dir("tiny-f32-b").resolve("model.safetensors"), dir.resolve("model.safetensors"));
        ObjectNode config = (ObjectNode) Golden.json(Golden.dir("tiny-f32-b").resolve("config.json"));
        config.put("model_type", "mistral");
        config.putArray("architectures").add("MistralForCausalLM");
        config.remove("rope_scaling");
        config.put("sliding_window", 4);
        Files.writeString(dir.resolve("config.json"), config.toString());
        try (Decoder other = Decoder.load(dir, root)) {
            Sweep.ModelMismatchException e = assertThrows(Sweep.ModelMismatchException.class,
                    () -> new Sweep(base, other, Schedule.CACHED));
            assertEquals("model_type", e.field());
            assertThat(e.getMessage()).contains(dir.toString()).contains("\"mistral\" differs from the other model's \"llama\"");
        }
    }

    @Test
    void layerOutOfRangeIsRefused() {
        List<Sweep.Cell> cells = List.of(new Sweep.Cell(Point.parse("resid_post.4"), Intervention.replace(PatchPositions.ALL)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(Schedule.CACHED, pairs(1, 6), cells, List.of(Direction.TUNED_TO_BASE)));
        assertThat(e.getMessage()).contains("resid_post.4: layer 4 out of range");
    }
}
