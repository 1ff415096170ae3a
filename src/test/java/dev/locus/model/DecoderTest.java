package dev.locus.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.locus.Golden;
import dev.locus.Tolerance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The forward pass against Hugging Face transformers on every golden checkpoint. */
class DecoderTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny-f32-a", "tiny-f32-b", "tiny-bf16", "tiny-f16-untied-hd", "tiny-sharded"})
    void matchesReferenceImplementation(String name) {
        matchesGolden(Golden.dir(name), name, (expected, actual, what) -> Golden.assertClose(expected, actual, Tolerance.RESIDUAL, what),
                Tolerance.LOGPROB);
    }

    /**
     * Qwen2 (q/k/v biases; tied, and untied with one key/value head), Mistral (explicit head_dim,
     * a window longer than every sequence) and Gemma-2 (every quirk on, a window of 16 on the even
     * layers under sequences of up to 70 tokens), against Hugging Face transformers 4.45.2.
     * Residuals reach 20 to 50 here, so they are held relative to each array's largest value.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"f-qwen2-s3", "f-qwen2-untied-s3", "f-mistral-s3", "f-gemma2-s3"})
    void otherFamiliesMatchTheReferenceImplementation(String name) {
        Path dir = Golden.dir("families/" + name);
        assertEquals(Golden.json(dir.resolve("expected.json")).get("family").asText(), DecoderConfig.read(dir).family().modelType());
        matchesGolden(dir, name, (expected, actual, what) -> Golden.assertRelativelyClose(expected, actual, Tolerance.RESIDUAL_RELATIVE,
                what), Tolerance.FAMILY_LOGPROB);
    }

    /** How a case's residual-stream arrays are held: absolutely for the Llama goldens, relatively for the others. */
    @FunctionalInterface
    interface ResidualCheck {
        void check(JsonNode expected, float[] actual, String what);
    }

    /** Embeddings, every block's output, the final norm (where recorded), every log-prob, argmax and completion sums. */
    private static void matchesGolden(Path dir, String name, ResidualCheck residual, double logprob) {
        JsonNode expected = Golden.json(dir.resolve("expected.json"));
        try (NDManager root = NDManager.newBaseManager();
                Decoder model = Decoder.load(dir, root)) {
            int layers = model.config().numLayers();
            for (JsonNode seq : expected.get("sequences")) {
                String what = name + " sequence " + seq.get("index").intValue();
                int[] ids = Golden.ints(seq.get("tokens"));
                try (NDManager work = root.newSubManager()) {
                    Map<Point, NDArray> captured = new HashMap<>();
                    NDArray last = model.forward(work, ids, (point, value) -> {
                        captured.put(point, value);
                        return value;
                    });
                    residual.check(seq.get("embeddings"), captured.get(Point.EMBED).toFloatArray(), what + " embeddings");
                    for (int l = 0; l < layers; l++) {
                        residual.check(seq.get("resid_post").get(l), captured.get(Point.residPost(l)).toFloatArray(), what + " resid_post." + l);
                    }
                    if (seq.has("final_norm")) {
                        residual.check(seq.get("final_norm"), model.finalNorm(last).toFloatArray(), what + " final_norm");
                    }
                    int[] all = new int[ids.length];
                    for (int i = 0; i < all.length; i++) {
                        all[i] = i;
                    }
                    NDArray logprobs = model.logprobs(last, all);
                    Golden.assertClose(seq.get("logprobs"), logprobs.toFloatArray(), logprob, what + " logprobs");
                    assertArrayEquals(Golden.ints(seq.get("argmax")), toInts(logprobs.argMax(-1).toLongArray()), what + " argmax");
                    JsonNode completion = seq.get("completion");
                    float[] tokens = model.completionLogprobs(last, ids, completion.get("boundary").intValue());
                    Golden.assertClose(completion.get("token_logprobs"), tokens, logprob, what + " token_logprobs");
                    assertEquals(completion.get("sum_logprob").doubleValue(), Decoder.sum(tokens), Tolerance.SUM, what + " sum_logprob");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny-f32-a"})
    void logprobsAtSomePositionsEqualThoseOfTheFullPass(String name) {
        try (NDManager root = NDManager.newBaseManager();
                Decoder model = Decoder.load(Golden.dir(name), root);
                NDManager work = root.newSubManager()) {
            int[] ids = {5, 17, 250, 3, 99, 42, 7, 1};
            NDArray last = model.forward(work, ids, Hook.NONE);
            float[] full = model.logprobs(last, new int[] {0, 1, 2, 3, 4, 5, 6, 7}).toFloatArray();
            float[] some = model.logprobs(last, new int[] {6, 2}).toFloatArray();
            int v = model.config().vocabSize();
            Tolerance.assertReordered(java.util.Arrays.copyOfRange(full, 6 * v, 7 * v), java.util.Arrays.copyOfRange(some, 0, v), "row 6");
            Tolerance.assertReordered(java.util.Arrays.copyOfRange(full, 2 * v, 3 * v), java.util.Arrays.copyOfRange(some, v, 2 * v), "row 2");
            assertTrue(some.length == 2 * v);
        }
    }

    @Test
    void idsOutsideTheVocabulary() {
        try (NDManager root = NDManager.newBaseManager();
                Decoder model = Decoder.load(Golden.dir("tiny-f32-a"), root);
                NDManager work = root.newSubManager()) {
            TokenInputException e = assertThrows(TokenInputException.class,
                    () -> model.forward(work, new int[] {1, 2, 300}, Hook.NONE));
            assertEquals("ids[2]", e.field());
            assertThat(e.getMessage()).contains("token id 300 outside the vocabulary [0, 300)");
            assertThrows(TokenInputException.class, () -> model.forward(work, new int[] {-1}, Hook.NONE));
        }
    }

    @Test
    void sequenceLongerThanMaxPositions(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("short");
        Files.createDirectories(dir);
        Path golden = Golden.dir("tiny-f32-a");
        Files.copy(golden.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"),
                Files.readString(golden.resolve("config.json")).replace("131072", "8"));
        try (NDManager root = NDManager.newBaseManager();
                Decoder model = Decoder.load(dir, root);
                NDManager work = root.newSubManager()) {
            model.forward(work, new int[8], Hook.NONE);
            TokenInputException e = assertThrows(TokenInputException.class, () -> model.forward(work, new int[9], Hook.NONE));
            assertThat(e.getMessage()).contains("9 tokens exceed max_position_embeddings 8");
        }
    }

    @Test
    void resumingFromALayerEqualsTheFullPass() {
        try (NDManager root = NDManager.newBaseManager();
                Decoder model = Decoder.load(Golden.dir("tiny-f32-a"), root);
                NDManager work = root.newSubManager()) {
            int[] ids = {5, 17, 250, 3, 99, 42, 7, 1};
            Map<Point, NDArray> captured = new HashMap<>();
            NDArray full = model.forward(work, ids, (p, v) -> {
                captured.put(p, v);
                return v;
            });
            int[] countedBlocks = {0};
            NDArray resumed = model.runBlocks(captured.get(Point.residPost(1)), 2, (p, v) -> {
                if (p.site() == Point.Site.RESID_POST) {
                    countedBlocks[0]++;
                    assertThat(p.layer()).isGreaterThanOrEqualTo(2);
                }
                return v;
            });
            assertEquals(2, countedBlocks[0]);
            assertArrayEquals(full.toFloatArray(), resumed.toFloatArray());
        }
    }

    @Test
    void aContinuationOverACachedPrefixEqualsTheFullPass() {
        try (NDManager root = NDManager.newBaseManager();
                Decoder model = Decoder.load(Golden.dir("tiny-f16-untied-hd"), root);
                NDManager work = root.newSubManager()) {
            int[] prompt = {5, 17, 250, 3, 99};
            int[] completion = {42, 7, 1, 200};
            int[] whole = java.util.stream.IntStream.concat(java.util.Arrays.stream(prompt), java.util.Arrays.stream(completion)).toArray();
            float[] full = model.forward(work, whole, Hook.NONE).toFloatArray();
            KvCache cache = new KvCache(model.config().numLayers(), prompt.length);
            float[] head = model.runBlocks(model.embed(work, prompt), 0, Hook.NONE, null, cache).toFloatArray();
            float[] tail = model.runBlocks(model.embed(work, completion), 0, Hook.NONE, cache, null).toFloatArray();
            int d = model.config().hiddenSize();
            float[] joined = new float[full.length];
            System.arraycopy(head, 0, joined, 0, prompt.length * d);
            System.arraycopy(tail, 0, joined, prompt.length * d, completion.length * d);
            Tolerance.assertReordered(full, joined, "resid_post.3");
        }
    }

    /**
     * Runs stacked through the blocks (joining at their own layers, one over a cached prefix, one
     * packed with two segments) give each run's output alone: attention never crosses runs.
     */
    @Test
    void stackedRunsEqualEachRunAlone() {
        try (NDManager root = NDManager.newBaseManager();
                Decoder model = Decoder.load(Golden.dir("tiny-f32-a"), root);
                NDManager work = root.newSubManager()) {
            int[] prompt = {5, 17, 250, 3, 99};
            KvCache cache = new KvCache(model.config().numLayers(), prompt.length);
            model.runBlocks(model.embed(work, prompt), 0, Hook.NONE, null, cache);
            int[] a = {42, 7, 1, 200, 13, 8};
            int[] b = {9, 11};
            int[] c = {77, 78, 79};
            java.util.List<BlockRun> runs = java.util.List.of(
                    new BlockRun(model.embed(work, a), 2, null, Packing.contiguous(0, a.length)),
                    new BlockRun(model.embed(work, b), 0, cache, Packing.contiguous(prompt.length, b.length)),
                    new BlockRun(model.embed(work, c), 1, null, new Packing(new int[] {0, 1, 1}, new int[] {0, 1, 2})),
                    new BlockRun(model.embed(work, b), model.config().numLayers(), null, Packing.contiguous(0, b.length)));
            java.util.List<NDArray> together = model.runBlocksTogether(runs);
            for (int i = 0; i < runs.size(); i++) {
                BlockRun r = runs.get(i);
                float[] alone = model.runBlocks(r.residPre(), r.fromLayer(), Hook.NONE, r.prefix(), null, r.packing()).toFloatArray();
                Tolerance.assertReordered(alone, together.get(i).toFloatArray(), "run " + i);
            }
        }
    }

    @Test
    void replacingAPointChangesEverythingDownstreamOnly() {
        try (NDManager root = NDManager.newBaseManager();
                Decoder model = Decoder.load(Golden.dir("tiny-f32-a"), root);
                NDManager work = root.newSubManager()) {
            int[] ids = {5, 17, 250, 3, 99, 42, 7, 1};
            Map<Point, NDArray> clean = new HashMap<>();
            model.forward(work, ids, (p, v) -> {
                clean.put(p, v);
                return v;
            });
            Map<Point, NDArray> patched = new HashMap<>();
            model.forward(work, ids, (p, v) -> {
                NDArray out = p.equals(Point.mlpOut(1)) ? v.zerosLike() : v;
                patched.put(p, out);
                return out;
            });
            assertArrayEquals(clean.get(Point.residPost(0)).toFloatArray(), patched.get(Point.residPost(0)).toFloatArray());
            assertArrayEquals(clean.get(Point.attnOut(1)).toFloatArray(), patched.get(Point.attnOut(1)).toFloatArray());
            float[] expected = clean.get(Point.residPost(1)).sub(clean.get(Point.mlpOut(1))).toFloatArray();
            assertArrayEquals(expected, patched.get(Point.residPost(1)).toFloatArray(), 1e-6f);
            assertThat(patched.get(Point.residPost(3)).toFloatArray()).isNotEqualTo(clean.get(Point.residPost(3)).toFloatArray());
        }
    }

    private static int[] toInts(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }
}
