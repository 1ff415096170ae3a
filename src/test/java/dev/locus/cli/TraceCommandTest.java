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
}
