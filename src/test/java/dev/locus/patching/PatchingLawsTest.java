package dev.locus.patching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.locus.Tolerance;
import dev.locus.fixtures.RandomCheckpoint;
import dev.locus.model.DType;
import dev.locus.model.Family;
import dev.locus.model.Hook;
import dev.locus.model.DecoderConfig;
import dev.locus.model.Decoder;
import dev.locus.model.Point;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The laws of patching, on random tiny models of every family, random tokens, points and alphas.
 * Mistral's and Gemma-2's windows are 4 positions here, shorter than most sequences, so the cached
 * schedule's windowed masks over a prompt cache are held to the whole-sequence recomputation.
 */
class PatchingLawsTest {
    private static final int MODELS = 3;
    private static NDManager root;
    private static final Map<Family, Decoder[]> MODELS_OF = new EnumMap<>(Family.class);
    private static Path dir;

    static DecoderConfig tiny(Family family) {
        DecoderConfig llama = RandomCheckpoint.Shape.TINY.config();
        return llama.as(family, family.releasedOptions(4, 24.0));
    }

    @BeforeContainer
    static void generate() throws IOException {
        dir = Files.createTempDirectory("locus-laws");
        root = NDManager.newBaseManager();
        for (Family family : Family.values()) {
            Decoder[] models = new Decoder[MODELS];
            for (int s = 0; s < MODELS; s++) {
                Path d = dir.resolve(family.modelType() + s);
                RandomCheckpoint.write(d, tiny(family), DType.F32, 100 + s);
                models[s] = Decoder.load(d, root);
            }
            MODELS_OF.put(family, models);
        }
    }

    @AfterContainer
    static void close() throws IOException {
        root.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A family, a random recipient/donor pair of its models, a random pair of sequences, a random point. */
    record Case(Family family, int recipient, int donor, Prompted pair, Point point) {
        Decoder recipientModel() {
            return MODELS_OF.get(family)[recipient];
        }

        Decoder donorModel() {
            return MODELS_OF.get(family)[donor];
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Point> points = Combinators.combine(
                        Arbitraries.of(Point.Site.values()), Arbitraries.integers().between(0, 3))
                .as((site, layer) -> new Point(site, site == Point.Site.RESID_PRE ? 0 : layer));
        return Combinators.combine(Arbitraries.of(Family.values()), Arbitraries.integers().between(0, MODELS - 1),
                        Arbitraries.integers().between(0, MODELS - 1), Arbitraries.longs(), points)
                .as((family, r, d, seed, point) -> new Case(family, r, d, randomPair(new Random(seed)), point));
    }

    static Prompted randomPair(Random random) {
        int vocab = RandomCheckpoint.Shape.TINY.config().vocabSize();
        return new Prompted("p" + random.nextInt(1000), random.ints(1 + random.nextInt(8), 0, vocab).toArray(),
                List.of(random.ints(1 + random.nextInt(6), 0, vocab).toArray(), random.ints(1 + random.nextInt(6), 0, vocab).toArray()));
    }

    private static List<float[]> patch(Case c, Intervention iv, Schedule schedule, boolean selfPatch) {
        try (NDManager work = root.newSubManager()) {
            CleanRun r = CleanRun.of(c.recipientModel(), work, c.pair(), schedule);
            CleanRun d = selfPatch ? r : CleanRun.of(c.donorModel(), work, c.pair(), schedule);
            return new Patcher(c.recipientModel()).patched(r, c.point(), iv, Patcher.Targets.donor(d));
        }
    }

    private static List<float[]> clean(Decoder model, Prompted pair, Schedule schedule) {
        try (NDManager work = root.newSubManager()) {
            CleanRun run = CleanRun.of(model, work, pair, schedule);
            return List.of(run.tokenLogprobs(0), run.tokenLogprobs(1));
        }
    }

    private static void assertSame(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            Tolerance.assertReordered(expected.get(i), actual.get(i), "completion " + i);
        }
    }

    @Property(tries = 40)
    void selfPatchIsANoOp(@ForAll("cases") Case c, @ForAll PatchPositions positions) {
        assertSame(clean(c.recipientModel(), c.pair(), Schedule.CACHED),
                patch(c, Intervention.replace(positions), Schedule.CACHED, true));
    }

    @Property(tries = 40)
    void alphaZeroIsTheRecipient(@ForAll("cases") Case c, @ForAll PatchPositions positions) {
        assertSame(clean(c.recipientModel(), c.pair(), Schedule.CACHED),
                patch(c, Intervention.interpolate(0.0, positions), Schedule.CACHED, false));
    }

    @Property(tries = 30)
    void steeringWithWeightZeroIsTheRecipient(@ForAll("cases") Case c, @ForAll long vectorSeed, @ForAll PatchPositions positions) {
        assertSame(clean(c.recipientModel(), c.pair(), Schedule.CACHED),
                patch(c, Intervention.steer(randomVector(new Random(vectorSeed)), 0.0, positions), Schedule.CACHED, false));
    }

    /** A vector added to block L's own write is the same vector added to the stream after block L. */
    @Property(tries = 30)
    void steeringABlocksOutputIsSteeringTheStreamAfterIt(@ForAll("cases") Case c, @ForAll long vectorSeed,
            @ForAll @net.jqwik.api.constraints.DoubleRange(min = -2, max = 2) double scale, @ForAll PatchPositions positions) {
        int layer = Math.max(0, c.point().layer());
        float[] v = randomVector(new Random(vectorSeed));
        Case blockOut = new Case(c.family(), c.recipient(), c.donor(), c.pair(), Point.blockOut(layer));
        Case residPost = new Case(c.family(), c.recipient(), c.donor(), c.pair(), Point.residPost(layer));
        assertSame(patch(residPost, Intervention.steer(v, scale, positions), Schedule.CACHED, false),
                patch(blockOut, Intervention.steer(v, scale, positions), Schedule.CACHED, false));
    }

    private static float[] randomVector(Random random) {
        float[] v = new float[RandomCheckpoint.Shape.TINY.config().hiddenSize()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    @Property(tries = 30)
    void fullRankSubspaceIsThePlainPatch(@ForAll("cases") Case c, @ForAll long basisSeed,
            @ForAll @net.jqwik.api.constraints.DoubleRange(min = -0.5, max = 1.5) double alpha) {
        float[][] basis = randomOrthonormal(RandomCheckpoint.Shape.TINY.config().hiddenSize(), new Random(basisSeed));
        assertSame(patch(c, Intervention.interpolate(alpha, PatchPositions.ALL), Schedule.CACHED, false),
                patch(c, Intervention.subspace(basis, alpha, PatchPositions.ALL), Schedule.CACHED, false));
    }

    @Property(tries = 30)
    void lastLayerFullPatchIsTheDonorThroughTheRecipientsHead(@ForAll("cases") Case c) {
        int last = RandomCheckpoint.Shape.TINY.config().numLayers() - 1;
        Case atLast = new Case(c.family(), c.recipient(), c.donor(), c.pair(), Point.residPost(last));
        List<float[]> patched = patch(atLast, Intervention.replace(PatchPositions.ALL), Schedule.NAIVE, false);
        try (NDManager work = root.newSubManager()) {
            for (int i = 0; i < 2; i++) {
                int[] sequence = c.pair().sequence(i);
                NDArray donorLast = c.donorModel().forward(work, sequence, Hook.NONE);
                float[] expected = c.recipientModel().completionLogprobs(donorLast, sequence, c.pair().boundary());
                Tolerance.assertReordered(expected, patched.get(i), "completion " + i);
            }
        }
    }

    /** Causality: changing the residual stream at position t leaves every log-prob before t as it was. */
    @Property(tries = 40)
    void patchingOnePositionLeavesEarlierLogprobsUnchanged(@ForAll("cases") Case c, @ForAll @IntRange(min = 0, max = 20) int t) {
        int[] sequence = c.pair().sequence(0);
        int position = t % sequence.length;
        Point at = Trace.modelPoint(c.point().site() == Point.Site.BLOCK_OUT
                ? Point.residPost(c.point().layer()) : c.point());
        Decoder model = c.recipientModel();
        try (NDManager work = root.newSubManager()) {
            int[] all = java.util.stream.IntStream.range(0, sequence.length).toArray();
            float[] before = model.logprobs(model.forward(work, sequence, Hook.NONE), all).toFloatArray();
            Hook bump = (p, v) -> {
                if (!p.equals(at)) {
                    return v;
                }
                float[] mask = new float[sequence.length];
                mask[position] = 1f;
                return v.add(work.create(mask, new Shape(sequence.length, 1)).mul(3f));
            };
            float[] after = model.logprobs(model.forward(work, sequence, bump), all).toFloatArray();
            int vocab = model.config().vocabSize();
            for (int i = 0; i < position * vocab; i++) {
                assertEquals(before[i], after[i], 0f, "log-prob entry " + i + " before position " + position);
            }
        }
    }

    @Property(tries = 40)
    void cachedScheduleEqualsNaiveRecomputation(@ForAll("cases") Case c, @ForAll PatchPositions positions,
            @ForAll @net.jqwik.api.constraints.DoubleRange(min = -0.5, max = 1.5) double alpha) {
        Intervention iv = Intervention.interpolate(alpha, positions);
        assertSame(patch(c, iv, Schedule.NAIVE, false), patch(c, iv, Schedule.CACHED, false));
    }

    static float[][] randomOrthonormal(int n, Random random) {
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                q[i][j] = random.nextGaussian();
            }
            for (int k = 0; k < i; k++) {
                double dot = 0;
                for (int j = 0; j < n; j++) {
                    dot += q[i][j] * q[k][j];
                }
                for (int j = 0; j < n; j++) {
                    q[i][j] -= dot * q[k][j];
                }
            }
            double norm = 0;
            for (int j = 0; j < n; j++) {
                norm += q[i][j] * q[i][j];
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < n; j++) {
                q[i][j] /= norm;
            }
        }
        float[][] out = new float[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i][j] = (float) q[i][j];
            }
        }
        return out;
    }
}
