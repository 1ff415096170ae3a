package dev.locus.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.locus.Tolerance;
import dev.locus.fixtures.RandomCheckpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** F16 and BF16 matrices kept as stored and widened per block compute the same bits as the same weights held in float32. */
class DecoderWeightsTest {
    @TempDir
    Path tmp;

    @Test
    void storedBf16WeightsGiveTheSameBitsAsFloat32InEveryPassAndTakeNoFloat32CopyOfTheBlocks() {
        DecoderConfig config = RandomCheckpoint.Shape.TINY.config().as(Family.GEMMA2, Family.GEMMA2.releasedOptions(4, 16));
        RandomCheckpoint.write(tmp, config, DType.BF16, 11);
        int[] ids = new Random(11).ints(12, 0, config.vocabSize()).toArray();
        int[] all = IntStream.range(0, ids.length).toArray();
        try (NDManager root = NDManager.newBaseManager();
                Decoder stored = Decoder.load(tmp, root, DecoderWeights.Holding.AS_STORED);
                Decoder widened = Decoder.load(tmp, root, DecoderWeights.Holding.FLOAT32);
                NDManager work = root.newSubManager()) {
            assertThat(stored.weights().keepsStoredBytes()).isTrue();
            assertThat(widened.weights().keepsStoredBytes()).isFalse();
            assertThat(stored.weights().residentBytes()).as("norms only, before any block is widened")
                    .isLessThan(widened.weights().residentBytes() / 20);

            assertThat(stored.logprobs(stored.forward(work, ids, Hook.NONE), all).toFloatArray())
                    .containsExactly(widened.logprobs(widened.forward(work, ids, Hook.NONE), all).toFloatArray());

            // Blocks asked for out of order and again: the buffers hold whichever block was asked for last.
            for (int layer : new int[] {2, 0, 0, 3, 1}) {
                DecoderWeights.Layer s = stored.weights().layer(layer);
                DecoderWeights.Layer f = widened.weights().layer(layer);
                for (NDArray[] pair : List.of(new NDArray[] {s.q(), f.q()}, new NDArray[] {s.down(), f.down()},
                        new NDArray[] {s.mlpOutNorm(), f.mlpOutNorm()})) {
                    assertThat(pair[0].toFloatArray()).as("layer %d", layer).containsExactly(pair[1].toFloatArray());
                }
            }

            KvCache cache = new KvCache(config.numLayers(), 5);
            stored.runBlocks(stored.embed(work, java.util.Arrays.copyOf(ids, 5)), 0, Hook.NONE, null, cache);
            KvCache same = new KvCache(config.numLayers(), 5);
            widened.runBlocks(widened.embed(work, java.util.Arrays.copyOf(ids, 5)), 0, Hook.NONE, null, same);
            int[] tail = java.util.Arrays.copyOfRange(ids, 5, ids.length);
            List<NDArray> a = stored.runBlocksTogether(List.of(
                    new BlockRun(stored.embed(work, ids), 1, null, Packing.contiguous(0, ids.length)),
                    new BlockRun(stored.embed(work, tail), 0, cache, Packing.contiguous(5, tail.length))));
            List<NDArray> b = widened.runBlocksTogether(List.of(
                    new BlockRun(widened.embed(work, ids), 1, null, Packing.contiguous(0, ids.length)),
                    new BlockRun(widened.embed(work, tail), 0, same, Packing.contiguous(5, tail.length))));
            for (int i = 0; i < a.size(); i++) {
                assertThat(a.get(i).toFloatArray()).as("stacked run %d", i).containsExactly(b.get(i).toFloatArray());
            }
        }
    }

    /** A pair shares one block's and one head's buffers; passes that alternate between the two still read each its own weights. */
    @Test
    void aPairSharesItsWideningBuffersAndEachPassReadsItsOwnModel() {
        DecoderConfig config = RandomCheckpoint.Shape.TINY.config();
        RandomCheckpoint.write(tmp.resolve("a"), config, DType.BF16, 21);
        RandomCheckpoint.write(tmp.resolve("b"), config, DType.BF16, 22);
        int[] ids = new Random(21).ints(9, 0, config.vocabSize()).toArray();
        int[] last = {ids.length - 1};
        try (NDManager root = NDManager.newBaseManager();
                Decoder.Pair pair = Decoder.loadPair(tmp.resolve("a"), tmp.resolve("b"), root);
                Decoder a = Decoder.load(tmp.resolve("a"), root, DecoderWeights.Holding.FLOAT32);
                Decoder b = Decoder.load(tmp.resolve("b"), root, DecoderWeights.Holding.FLOAT32);
                NDManager work = root.newSubManager()) {
            float[] expectedA = a.logprobs(a.forward(work, ids, Hook.NONE), last).toFloatArray();
            float[] expectedB = b.logprobs(b.forward(work, ids, Hook.NONE), last).toFloatArray();
            assertThat(expectedA).isNotEqualTo(expectedB);
            for (int round = 0; round < 2; round++) {
                assertThat(pair.first().logprobs(pair.first().forward(work, ids, Hook.NONE), last).toFloatArray()).containsExactly(expectedA);
                assertThat(pair.second().logprobs(pair.second().forward(work, ids, Hook.NONE), last).toFloatArray()).containsExactly(expectedB);
            }
            long oneBlockAndHead = 0;
            for (Layout.Tensor t : config.tensors()) {
                boolean widened = t.role() == Role.EMBED || t.role().perBlock() && t.layer() == 0 && t.role().kind() == Role.Kind.LINEAR;
                oneBlockAndHead += widened ? t.elements() * 4 : 0;
            }
            assertThat(pair.first().weights().residentBytes() - normBytes(config)).as("one block and the (tied) head, shared")
                    .isEqualTo(oneBlockAndHead);
        }
    }

    /**
     * A head wider than one block (two blocks of 32768 rows and a short one) is widened a block at a
     * time and multiplied in the same blocks as a resident head: the same bits either way, within
     * float32 reordering of one whole product, and the stored model holds one block of it in float32.
     */
    @Test
    void aHeadWiderThanOneBlockIsTakenABlockAtATimeWithTheSameBitsEitherWay() {
        DecoderConfig tiny = RandomCheckpoint.Shape.TINY.config();
        int vocab = 2 * (int) (Head.BLOCK_BYTES / (4L * tiny.hiddenSize())) + 4465;
        DecoderConfig config = new DecoderConfig(tiny.hiddenSize(), tiny.intermediateSize(), 2, tiny.numHeads(), tiny.numKvHeads(),
                tiny.headDim(), tiny.rmsNormEps(), tiny.ropeTheta(), tiny.ropeScaling(), false, vocab, tiny.maxPositionEmbeddings(),
                tiny.bosTokenId(), tiny.eosTokenIds());
        int step = Head.blockRows(config);
        assertThat(step).isEqualTo(32768);
        RandomCheckpoint.write(tmp, config, DType.BF16, 13);
        int[] ids = new Random(13).ints(7, 0, vocab).toArray();
        int[] all = IntStream.range(0, ids.length).toArray();
        try (NDManager root = NDManager.newBaseManager();
                Decoder stored = Decoder.load(tmp, root, DecoderWeights.Holding.AS_STORED);
                Decoder widened = Decoder.load(tmp, root, DecoderWeights.Holding.FLOAT32);
                NDManager work = root.newSubManager()) {
            float[] expected = widened.logprobs(widened.forward(work, ids, Hook.NONE), all).toFloatArray();
            // isEqualTo compares float bits at once; containsExactly takes seconds over 490k values.
            assertThat(stored.logprobs(stored.forward(work, ids, Hook.NONE), all).toFloatArray()).isEqualTo(expected);

            long headBlocks = (long) (step + vocab % step) * config.hiddenSize() * 4;
            long oneBlock = config.tensors().stream().filter(t -> t.role().perBlock() && t.layer() == 0 && t.role().kind() == Role.Kind.LINEAR)
                    .mapToLong(t -> t.elements() * 4).sum();
            assertThat(stored.weights().residentBytes() - normBytes(config)).as("one decoder block and a full and a tail block of the head")
                    .isEqualTo(oneBlock + headBlocks);

            NDArray x = work.randomNormal(new Shape(5, config.hiddenSize()));
            float[] whole = widened.weights().headProduct(x, 0, vocab).toFloatArray();
            float[] blocks = NDArrays.concat(new NDList(stored.weights().headProduct(x, 0, step),
                    stored.weights().headProduct(x, step, step), stored.weights().headProduct(x, 2 * step, vocab - 2 * step)), -1).toFloatArray();
            int worst = 0;
            for (int i = 0; i < whole.length; i++) {
                if (Math.abs(blocks[i] - whole[i]) / (1 + Math.abs(whole[i])) > Math.abs(blocks[worst] - whole[worst]) / (1 + Math.abs(whole[worst]))) {
                    worst = i;
                }
            }
            assertThat((double) blocks[worst]).as("logit %d, the farthest from the whole product's", worst)
                    .isCloseTo(whole[worst], Offset.offset(Tolerance.FLOAT32_REORDER * (1 + Math.abs(whole[worst]))));
        }
    }

    private static long normBytes(DecoderConfig config) {
        return config.tensors().stream().filter(t -> t.role().kind() == Role.Kind.NORM).mapToLong(t -> t.elements() * 4).sum();
    }

    @Test
    void aFloat32CheckpointStaysResidentWhateverTheHolding() {
        RandomCheckpoint.write(tmp, RandomCheckpoint.Shape.TINY.config(), DType.F32, 12);
        try (NDManager root = NDManager.newBaseManager(); Decoder model = Decoder.load(tmp, root, DecoderWeights.Holding.AS_STORED)) {
            assertThat(model.weights().keepsStoredBytes()).isFalse();
        }
    }
}
