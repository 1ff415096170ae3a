package dev.locus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locus.Golden;
import dev.locus.Tolerance;
import dev.locus.fixtures.RandomCheckpoint;
import dev.locus.model.DType;
import dev.locus.model.DecoderConfig;
import dev.locus.model.SafetensorsFile;
import dev.locus.model.Layout;
import dev.locus.model.Role;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarginCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static String join(int[] ids) {
        return Arrays.stream(ids).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void idsPairMatchesTheGoldenPatchedMargin() throws IOException {
        JsonNode m = Golden.json(Golden.dir("patching").resolve("expected.json")).get("margin");
        int k = m.get("boundary").intValue();
        int[] chosen = Golden.ints(m.get("chosen"));
        int[] rejected = Golden.ints(m.get("rejected"));
        Path out = tmp.resolve("m.jsonl");
        int code = Main.run("margin", "--recipient", Golden.dir("tiny-f32-a").toString(), "--donor", Golden.dir("tiny-f32-b").toString(),
                "--point", "block_out.2", "--kind", "interpolate", "--alpha", "1",
                "--ids", join(Arrays.copyOf(chosen, k)), "--chosen-ids", join(Arrays.copyOfRange(chosen, k, chosen.length)),
                "--rejected-ids", join(Arrays.copyOfRange(rejected, k, rejected.length)), "--out", out.toString());
        assertEquals(0, code);
        JsonNode line = lines(out).get(0);
        assertEquals(m.get("A").get("margin").doubleValue(), line.get("recipient_margin").doubleValue(), Tolerance.SUM);
        assertEquals(m.get("B").get("margin").doubleValue(), line.get("donor_margin").doubleValue(), Tolerance.SUM);
        JsonNode expected = null;
        for (JsonNode c : m.get("patched")) {
            if (c.get("hook").asText().equals("block_out") && c.get("layer").intValue() == 2 && c.get("subspace").isNull()) {
                expected = c;
            }
        }
        assertEquals(expected.get("margin").doubleValue(), line.get("patched_margin").doubleValue(), Tolerance.SUM);
        assertEquals("block_out.2", line.get("intervention").get("point").asText());
        assertEquals(8, line.get("prompt_tokens").intValue());
        JsonNode provenance = Golden.json(Path.of(out + ".provenance.json"));
        assertThat(provenance.get("sha256").get("recipient/model.safetensors").asText())
                .isEqualTo("1e6b42417a621e6d38ad95bb6fde2b5f2f20be42c236d5c239518db6289656e0");
    }

    @Test
    void pairsFileRunsAndReportsSkippedPairs() throws IOException {
        Path base = tmp.resolve("base");
        Path tuned = tmp.resolve("tuned");
        RandomCheckpoint.write(base, RandomCheckpoint.Shape.TINY.config(), DType.F32, 1);
        RandomCheckpoint.write(tuned, RandomCheckpoint.Shape.TINY.config(), DType.F32, 2);
        Path out = tmp.resolve("pairs.jsonl");
        int code = Main.run("margin", "--recipient", base.toString(), "--donor", tuned.toString(), "--point", "resid_post.1",
                "--positions", "completion", "--pairs", "datasets/hh-rlhf-test-512.jsonl", "--limit", "4", "--max-tokens", "400",
                "--out", out.toString());
        assertEquals(0, code);
        List<JsonNode> lines = lines(out);
        assertEquals(4, lines.size());
        long skipped = lines.stream().filter(l -> l.has("skipped")).count();
        assertThat(lines).allSatisfy(l -> assertThat(l.has("skipped") || l.has("patched_margin")).isTrue());
        assertThat(lines.stream().filter(l -> l.has("skipped")).map(l -> l.get("skipped").asText()))
                .allSatisfy(reason -> assertThat(reason).startsWith("too long: ").endsWith("> limit 400"));
        assertThat(skipped).isBetween(1L, 3L);
        List<String> fileOrder = dev.locus.data.PairsFile.load(Path.of("datasets/hh-rlhf-test-512.jsonl")).stream()
                .limit(4).map(dev.locus.data.PreferencePair::id).toList();
        assertEquals(fileOrder, lines.stream().map(l -> l.get("id").asText()).toList());
    }

    @Test
    void badInputExitsTwoBeforeWritingAnything() throws IOException {
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"id\":\"a\"}\n");
        Path out = tmp.resolve("never.jsonl");
        String a = Golden.dir("tiny-f32-a").toString();
        assertEquals(Main.BAD_INPUT, Main.run("margin", "--recipient", a, "--pairs", bad.toString(), "--out", out.toString()));
        assertEquals(Main.BAD_INPUT, Main.run("margin", "--recipient", a, "--donor", Golden.dir("tiny-f32-b").toString(),
                "--point", "resid_mid.1", "--ids", "1,2", "--chosen-ids", "3", "--rejected-ids", "4", "--out", out.toString()));
        assertEquals(Main.BAD_INPUT, Main.run("margin", "--recipient", a, "--donor", Golden.dir("tiny-f32-b").toString(),
                "--point", "resid_post.9", "--ids", "1,2", "--chosen-ids", "3", "--rejected-ids", "4", "--out", out.toString()));
        assertEquals(Main.BAD_INPUT, Main.run("margin", "--recipient", a, "--pairs", bad.toString(), "--sample", "0", "--out", out.toString()));
        Path other = tmp.resolve("other");
        RandomCheckpoint.write(other, RandomCheckpoint.Shape.TINY.config(), DType.F32, 3);
        assertEquals(Main.BAD_INPUT, Main.run("margin", "--recipient", a, "--donor", other.toString(),
                "--ids", "1,2", "--chosen-ids", "3", "--rejected-ids", "4", "--out", out.toString()));
        assertThat(Files.exists(out)).isFalse();
    }

    /** A model whose embedding of one token is NaN: the pair using it fails, the pair before it stays written. */
    @Test
    void aFailureOnALaterPairKeepsTheEarlierResults() throws IOException {
        Path model = tmp.resolve("nan");
        DecoderConfig t = RandomCheckpoint.Shape.TINY.config();
        DecoderConfig untied = new DecoderConfig(t.hiddenSize(), t.intermediateSize(), t.numLayers(), t.numHeads(), t.numKvHeads(),
                t.headDim(), t.rmsNormEps(), t.ropeTheta(), t.ropeScaling(), false, t.vocabSize(), t.maxPositionEmbeddings(),
                t.bosTokenId(), t.eosTokenIds());
        // Untied, so the poisoned embedding row does not also poison every logit through the head.
        RandomCheckpoint.write(model, untied, DType.F32, 4);
        int poisoned = 'Z';
        try (SafetensorsFile f = SafetensorsFile.open(model.resolve("model.safetensors"));
                RandomAccessFile raw = new RandomAccessFile(model.resolve("model.safetensors").toFile(), "rw")) {
            SafetensorsFile.Entry embed = f.entries().get(Layout.name(Role.EMBED));
            int hidden = (int) embed.shape()[1];
            raw.seek(embed.fileOffset() + 4L * poisoned * hidden);
            ByteBuffer nan = ByteBuffer.allocate(4 * hidden).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < hidden; i++) {
                nan.putFloat(Float.NaN);
            }
            raw.write(nan.array());
        }
        Path pairs = tmp.resolve("pairs.jsonl");
        Files.writeString(pairs, "{\"id\":\"fine\",\"prompt\":\"Q:\",\"chosen\":\" a\",\"rejected\":\" b\"}\n"
                + "{\"id\":\"poisoned\",\"prompt\":\"Q:\",\"chosen\":\" Z\",\"rejected\":\" b\"}\n");
        Path out = tmp.resolve("out.jsonl");
        assertEquals(Main.BAD_INPUT, Main.run("margin", "--recipient", model.toString(), "--pairs", pairs.toString(),
                "--out", out.toString()));
        List<JsonNode> lines = lines(out);
        assertEquals(1, lines.size());
        assertEquals("fine", lines.get(0).get("id").asText());
    }

    /** Exit code and what a command printed to stderr. */
    record Ran(int code, String err) {}

    static Ran run(String... args) {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Ran(code, err.toString(java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    private static String[] idsPair(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("margin", "--recipient", Golden.dir("tiny-f32-a").toString(),
                "--donor", Golden.dir("tiny-f32-b").toString(), "--ids", "1,2,3", "--chosen-ids", "4,5", "--rejected-ids", "6",
                "--out", out.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** A bad output path ends with exit 2 and one line, before any work. */
    @Test
    void outputPathsAreCheckedUpFront() throws IOException {
        Ran missingFolder = run(idsPair(tmp.resolve("nodir/x.jsonl")));
        assertEquals(Main.BAD_INPUT, missingFolder.code());
        assertThat(missingFolder.err().strip().lines().count()).as(missingFolder.err()).isEqualTo(1);
        assertThat(missingFolder.err()).contains("nodir", "does not exist");
        Ran directory = run(idsPair(tmp));
        assertEquals(Main.BAD_INPUT, directory.code());
        assertThat(directory.err()).contains("is a directory");
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        Ran fixture = run("fixture", "--kind", "null", "--out", file.toString());
        assertEquals(Main.BAD_INPUT, fixture.code());
        assertThat(fixture.err().strip().lines().count()).isEqualTo(1);
        assertThat(fixture.err()).contains("exists and is not a directory");
    }

    /** A second run with the same --out is refused and the first run's lines stay. */
    @Test
    void earlierMarginsAreNeverOverwritten() throws IOException {
        Path out = tmp.resolve("m.jsonl");
        assertEquals(0, run(idsPair(out)).code());
        String first = Files.readString(out);
        Ran again = run(idsPair(out));
        assertEquals(Main.BAD_INPUT, again.code());
        assertThat(again.err()).contains("exists", "never overwritten");
        assertEquals(first, Files.readString(out));
    }

    @Test
    void argumentsOutOfRangeAreNamed() throws IOException {
        Path base = tmp.resolve("base");
        RandomCheckpoint.write(base, RandomCheckpoint.Shape.TINY.config(), DType.F32, 1);
        Ran limit = run("margin", "--recipient", base.toString(), "--pairs", "datasets/hh-rlhf-test-512.jsonl", "--limit", "-1",
                "--out", tmp.resolve("l.jsonl").toString());
        assertEquals(Main.BAD_INPUT, limit.code());
        assertThat(limit.err()).contains("--limit", "at least 1, found -1").doesNotContain("fromIndex");
        Ran tokens = run("margin", "--recipient", base.toString(), "--pairs", "datasets/hh-rlhf-test-512.jsonl", "--limit", "2",
                "--max-tokens", "999999999", "--out", tmp.resolve("t.jsonl").toString());
        assertEquals(Main.BAD_INPUT, tokens.code());
        assertThat(tokens.err()).contains("--max-tokens", "max_position_embeddings");
        assertThat(tmp.resolve("t.jsonl")).doesNotExist();
        Ran alpha = run(idsPair(tmp.resolve("a.jsonl"), "--point", "resid_post.1", "--kind", "replace", "--alpha", "0.5"));
        assertEquals(Main.BAD_INPUT, alpha.code());
        assertThat(alpha.err()).contains("replace takes no alpha");
    }

    /** An intervention that overflows is named as such, not blamed on the checkpoint. */
    @Test
    void anOverflowingInterventionIsNamed() {
        Ran huge = run(idsPair(tmp.resolve("o.jsonl"), "--point", "resid_post.1", "--kind", "interpolate", "--alpha", "1e40"));
        assertEquals(Main.BAD_INPUT, huge.code());
        assertThat(huge.err()).contains("interpolate(alpha=1.0E40)", "intervention overflowed", "both clean runs were finite");
    }

    @Test
    void nonUtf8BytesAreNamedByTheirLine() throws IOException {
        Path pairs = tmp.resolve("latin1.jsonl");
        byte[] good = "{\"id\":\"a\",\"prompt\":\"Q:\",\"chosen\":\" a\",\"rejected\":\" b\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] second = "{\"id\":\"b\",\"prompt\":\"Q:\",\"chosen\":\" a\",\"rejected\":\" b\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] bad = "{\"id\":\"c\",\"prompt\":\"Caf\u00e9:\",\"chosen\":\" a\",\"rejected\":\" b\"}\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        file.write(good);
        file.write(second);
        file.write(bad);
        Files.write(pairs, file.toByteArray());
        Ran ran = run("margin", "--recipient", Golden.dir("tiny-f32-a").toString(), "--pairs", pairs.toString(),
                "--out", tmp.resolve("u.jsonl").toString());
        assertEquals(Main.BAD_INPUT, ran.code());
        assertThat(ran.err()).contains("latin1.jsonl: line 3", "not UTF-8");
    }

    /** The closing line says what a user looks for: the mean gain, how many pairs gained, the per-token mean. */
    @Test
    void summarySaysTheGain() {
        Ran ran = run(idsPair(tmp.resolve("s.jsonl"), "--point", "resid_post.1"));
        assertEquals(0, ran.code());
        assertThat(ran.err()).contains("per-token mean", "mean gain donor - recipient", "of 1 pairs gained", "moves the recipient by");
    }
}
