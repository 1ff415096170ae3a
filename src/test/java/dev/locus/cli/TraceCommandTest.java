package dev.locus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locus.Golden;
import dev.locus.Tolerance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceCommandTest {
    @TempDir
    Path tmp;

    @Test
    void traceOfAGoldenCheckpointMatchesTheReference() {
        Path model = Golden.dir("tiny-bf16");
        JsonNode seq = Golden.json(model.resolve("expected.json")).get("sequences").get(1);
        int[] ids = Golden.ints(seq.get("tokens"));
        Path out = tmp.resolve("trace.json");
        int code = Main.run("trace", "--model", model.toString(), "--ids", join(ids),
                "--boundary", String.valueOf(seq.get("boundary").intValue()), "--out", out.toString());
        assertEquals(0, code);
        JsonNode trace = Golden.json(out);
        assertClose(seq.get("embeddings"), trace.get("embeddings"), Tolerance.EMBEDDINGS);
        assertClose(seq.get("resid_post"), trace.get("resid_post"), Tolerance.RESIDUAL);
        assertClose(seq.get("logprobs"), trace.get("logprobs"), Tolerance.LOGPROB);
        assertEquals(seq.get("completion").get("sum_logprob").doubleValue(), trace.get("completion_logprob").doubleValue(),
                Tolerance.SUM);
        assertThat(trace.get("provenance").get("sha256").get("model/model.safetensors").asText())
                .isEqualTo("8d1cb9b098b9cb49ee2452f4b5dbd9db26b8ba4075370c2302cf6855116ee3d3");
    }

    @Test
    void badInputExitsTwoWithOneLineAndWritesNothing() throws IOException {
        Path out = tmp.resolve("never.json");
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        int code;
        try {
            code = Main.run("trace", "--model", Golden.dir("tiny-f32-a").toString(), "--ids", "1,2,300", "--out", out.toString());
        } finally {
            System.setErr(err);
        }
        assertEquals(Main.BAD_INPUT, code);
        String message = captured.toString().strip();
        assertThat(message.lines().count()).isEqualTo(1);
        assertThat(message).contains("tiny-f32-a").contains("ids[2]").contains("300");
        assertThat(Files.exists(out)).isFalse();
        try (var listing = Files.list(tmp)) {
            assertThat(listing.count()).isZero();
        }
    }

    @Test
    void boundaryOutOfRange() {
        assertEquals(Main.BAD_INPUT, Main.run("trace", "--model", Golden.dir("tiny-f32-a").toString(), "--ids", "1,2",
                "--boundary", "2", "--out", tmp.resolve("x.json").toString()));
    }

    private static String join(int[] ids) {
        return Arrays.stream(ids).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }

    private static void assertClose(JsonNode expected, JsonNode actual, double tolerance) {
        double[] e = Golden.flatten(expected);
        double[] a = Golden.flatten(actual);
        assertEquals(e.length, a.length);
        float[] af = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            af[i] = (float) a[i];
        }
        Golden.assertClose(expected, af, tolerance, "trace");
    }

    /**
     * Each family's own mistakes, as a user meets them through trace: one line on stderr naming the
     * file and the field, exit 2, nothing written.
     */
    @Test
    void aFamilysBadInputIsOneLineNamingFileAndField() throws IOException {
        Path gemma = copy("f-gemma2-s3", "gemma-no-scalar");
        Files.writeString(gemma.resolve("config.json"), Files.readString(gemma.resolve("config.json"))
                .replace("\"query_pre_attn_scalar\": 24,", ""));
        Path unknown = copy("f-mistral-s3", "unknown-type");
        Files.writeString(unknown.resolve("config.json"), Files.readString(unknown.resolve("config.json"))
                .replace("\"model_type\": \"mistral\"", "\"model_type\": \"phi3\"")
                .replace("\"MistralForCausalLM\"", "\"Phi3ForCausalLM\""));
        Path qwen = copy("f-qwen2-s3", "qwen-no-bias");
        withoutTensor(qwen.resolve("model.safetensors"), "model.layers.0.self_attn.q_proj.bias");
        for (String[] c : new String[][] {{gemma.toString(), "config.json: query_pre_attn_scalar: missing"},
                {unknown.toString(), "config.json: model_type: \"phi3\" is not a family locus reads"},
                {qwen.toString(), "model.layers.0.self_attn.q_proj.bias: missing"}}) {
            Path out = tmp.resolve("never-" + Path.of(c[0]).getFileName() + ".json");
            Cli r = Cli.run("trace", "--model", c[0], "--ids", "1,2,3", "--out", out.toString());
            assertEquals(Main.BAD_INPUT, r.code(), r.err());
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).contains(c[0], c[1]);
            assertThat(out).doesNotExist();
        }
    }

    /**
     * Weights kept as stored are validated as fully as decoded ones, before anything runs: a
     * truncated file, a shard the index names but the folder lacks, a weight of a non-float dtype
     * each stop with one line naming the file and the tensor, exit 2, nothing written.
     */
    @Test
    void aStoredCheckpointsBadFilesAreOneLineNamingFileAndTensor() throws IOException {
        Path truncated = copyOf(Golden.dir("tiny-bf16"), "bf16-truncated");
        Path weights = truncated.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length - 2));
        Path missingShard = copyOf(Golden.dir("tiny-sharded"), "sharded-missing");
        Files.delete(missingShard.resolve("model-00002-of-00002.safetensors"));
        Path integer = copyOf(Golden.dir("tiny-bf16"), "bf16-integer");
        retype(integer.resolve("model.safetensors"), "model.layers.1.mlp.up_proj.weight");
        for (String[] c : new String[][] {
                {truncated.toString(), "model.safetensors: ", "data_offsets", "truncated"},
                {missingShard.toString(), "model.safetensors.index.json: weight_map.model.", "model-00002-of-00002.safetensors", "not a file"},
                {integer.toString(), "model.safetensors: model.layers.1.mlp.up_proj.weight.dtype: I16 is not a weight type"}}) {
            Path out = tmp.resolve("never-" + Path.of(c[0]).getFileName() + ".json");
            Cli r = Cli.run("trace", "--model", c[0], "--ids", "1,2,3", "--out", out.toString());
            assertEquals(Main.BAD_INPUT, r.code(), r.err());
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).contains(c[0]).contains(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertThat(out).doesNotExist();
        }
    }

    /** The header of a BF16 file with one tensor's dtype named I16 (the same width, so only the type is wrong). */
    private static void retype(Path file, String tensor) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int length = (int) java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, length, java.nio.charset.StandardCharsets.UTF_8);
        int at = header.indexOf("\"dtype\":\"BF16\"", header.indexOf("\"" + tensor + "\""));
        assertThat(at).as("the tensor's dtype in the header").isPositive();
        String retyped = header.substring(0, at) + "\"dtype\":\"I16\" " + header.substring(at + "\"dtype\":\"BF16\"".length());
        System.arraycopy(retyped.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, bytes, 8, length);
        Files.write(file, bytes);
    }

    private Path copyOf(Path from, String name) throws IOException {
        Path to = tmp.resolve(name);
        Files.createDirectories(to);
        try (java.util.stream.Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    /** Rewrites a float32 safetensors file without one tensor. */
    private static void withoutTensor(Path file, String dropped) throws IOException {
        java.util.Map<String, float[]> kept = new java.util.TreeMap<>();
        java.util.List<dev.locus.model.SafetensorsWriter.Spec> specs = new java.util.ArrayList<>();
        try (dev.locus.model.SafetensorsFile in = dev.locus.model.SafetensorsFile.open(file)) {
            assertThat(in.entries()).containsKey(dropped);
            for (dev.locus.model.SafetensorsFile.Entry e : in.entries().values()) {
                if (e.name().equals(dropped)) {
                    continue;
                }
                java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(Math.toIntExact(e.elementCount() * 4))
                        .order(java.nio.ByteOrder.nativeOrder());
                in.decodeFloat32(e, 0, Math.toIntExact(e.elementCount()), bytes);
                bytes.flip();
                float[] values = new float[Math.toIntExact(e.elementCount())];
                bytes.asFloatBuffer().get(values);
                kept.put(e.name(), values);
                specs.add(new dev.locus.model.SafetensorsWriter.Spec(e.name(), dev.locus.model.DType.F32, e.shape()));
            }
        }
        dev.locus.model.SafetensorsWriter.write(file, specs, java.util.Map.of(),
                (spec, first, out, count) -> System.arraycopy(kept.get(spec.name()), (int) first, out, 0, count));
    }

    private Path copy(String golden, String name) throws IOException {
        Path from = Golden.dir("families/" + golden);
        Path to = tmp.resolve(name);
        Files.createDirectories(to);
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(from.resolve(f), to.resolve(f));
        }
        return to;
    }
}
