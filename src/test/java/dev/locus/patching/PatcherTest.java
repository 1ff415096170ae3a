package dev.locus.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.locus.Golden;
import dev.locus.Tolerance;
import dev.locus.model.Decoder;
import dev.locus.model.Point;
import dev.locus.Sha256;
import dev.locus.model.Checkpoint;
import dev.locus.model.DecoderConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Patching B -> A against Hugging Face transformers with forward hooks (golden/patching). */
class PatcherTest {
    private static NDManager root;
    private static Decoder a;
    private static Decoder b;
    private static JsonNode expected;

    @BeforeAll
    static void load() {
        root = NDManager.newBaseManager();
        a = Decoder.load(Golden.dir("tiny-f32-a"), root);
        b = Decoder.load(Golden.dir("tiny-f32-b"), root);
        expected = Golden.json(Golden.dir("patching").resolve("expected.json"));
    }

    @AfterAll
    static void close() {
        root.close();
    }

    static float[][] basis() {
        JsonNode rows = expected.get("subspace").get("basis");
        float[][] basis = new float[rows.size()][];
        for (int i = 0; i < basis.length; i++) {
            double[] r = Golden.flatten(rows.get(i));
            basis[i] = new float[r.length];
            for (int c = 0; c < r.length; c++) {
                basis[i][c] = (float) r[c];
            }
        }
        return basis;
    }

    static Intervention intervention(JsonNode c) {
        PatchPositions positions = PatchPositions.parse(c.get("positions").asText());
        double alpha = c.get("alpha").doubleValue();
        return c.get("subspace").isNull()
                ? Intervention.interpolate(alpha, positions)
                : Intervention.subspace(basis(), alpha, positions);
    }

    static Point point(JsonNode c) {
        return Point.parse(c.get("hook").asText() + "." + c.get("layer").intValue());
    }

    private static Prompted sequence(JsonNode seq) {
        int[] tokens = Golden.ints(seq.get("tokens"));
        int k = seq.get("boundary").intValue();
        return new Prompted("seq" + seq.get("index").intValue(), Arrays.copyOf(tokens, k),
                List.of(Arrays.copyOfRange(tokens, k, tokens.length)));
    }

    @ParameterizedTest
    @EnumSource(Schedule.class)
    void everyGoldenCaseMatches(Schedule schedule) {
        JsonNode sequences = expected.get("sequences");
        try (NDManager work = root.newSubManager()) {
            CleanRun[] recipient = new CleanRun[sequences.size()];
            CleanRun[] donor = new CleanRun[sequences.size()];
            for (int s = 0; s < sequences.size(); s++) {
                Prompted p = sequence(sequences.get(s));
                recipient[s] = CleanRun.of(a, work, p, schedule);
                donor[s] = CleanRun.of(b, work, p, schedule);
                JsonNode seq = sequences.get(s);
                Golden.assertClose(seq.get("A").get("token_logprobs"), recipient[s].tokenLogprobs(0), Tolerance.LOGPROB, "A");
                Golden.assertClose(seq.get("B").get("token_logprobs"), donor[s].tokenLogprobs(0), Tolerance.LOGPROB, "B");
            }
            Patcher patcher = new Patcher(a);
            int checked = 0;
            for (JsonNode c : expected.get("cases")) {
                int s = c.get("sequence").intValue();
                String what = schedule + " case " + c;
                float[] lp = patcher.patched(recipient[s], point(c), intervention(c), Patcher.Targets.donor(donor[s])).get(0);
                Golden.assertClose(c.get("token_logprobs"), lp, Tolerance.LOGPROB, what);
                assertEquals(c.get("sum_logprob").doubleValue(), Decoder.sum(lp), Tolerance.SUM, what);
                checked++;
            }
            assertThat(checked).isEqualTo(120);
        }
    }

    @ParameterizedTest
    @EnumSource(Schedule.class)
    void goldenMarginsMatch(Schedule schedule) {
        JsonNode m = expected.get("margin");
        int[] prompt = Golden.ints(m.get("prompt"));
        int k = m.get("boundary").intValue();
        int[] chosen = Golden.ints(m.get("chosen"));
        int[] rejected = Golden.ints(m.get("rejected"));
        Prompted pair = new Prompted("margin", Arrays.copyOf(prompt, k),
                List.of(Arrays.copyOfRange(chosen, k, chosen.length), Arrays.copyOfRange(rejected, k, rejected.length)));
        try (NDManager work = root.newSubManager()) {
            CleanRun ra = CleanRun.of(a, work, pair, schedule);
            CleanRun rb = CleanRun.of(b, work, pair, schedule);
            assertEquals(m.get("A").get("margin").doubleValue(), Margin.of(ra.tokenLogprobs(0), ra.tokenLogprobs(1)).margin(), Tolerance.SUM);
            assertEquals(m.get("B").get("margin").doubleValue(), Margin.of(rb.tokenLogprobs(0), rb.tokenLogprobs(1)).margin(), Tolerance.SUM);
            Patcher patcher = new Patcher(a);
            for (JsonNode c : m.get("patched")) {
                List<float[]> lp = patcher.patched(ra, point(c), intervention(c), Patcher.Targets.donor(rb));
                Margin margin = Margin.of(lp.get(0), lp.get(1));
                String what = schedule + " margin case " + c.get("hook") + "." + c.get("layer") + " " + c.get("subspace");
                Golden.assertClose(c.get("chosen_token_logprobs"), lp.get(0), Tolerance.LOGPROB, what);
                Golden.assertClose(c.get("rejected_token_logprobs"), lp.get(1), Tolerance.LOGPROB, what);
                assertEquals(c.get("chosen_sum_logprob").doubleValue(), margin.chosenSum(), Tolerance.SUM, what);
                assertEquals(c.get("margin").doubleValue(), margin.margin(), Tolerance.SUM, what);
            }
        }
    }

    static Stream<Arguments> familyCases() {
        return Stream.of("f-qwen2-s3", "f-qwen2-untied-s3", "f-mistral-s3", "f-gemma2-s3")
                .flatMap(c -> Stream.of(Schedule.values()).map(s -> Arguments.of(c, s)));
    }

    /**
     * The other families' patched margins against transformers 4.45.2 with forward hooks
     * ({@code scripts/golden/family_patching.py}): the recipient is the forward golden's checkpoint,
     * the donor the same with every tensor's elements reversed, rebuilt here.
     */
    @ParameterizedTest
    @MethodSource("familyCases")
    void familyPatchedMarginsMatchTransformers(String name, Schedule schedule, @TempDir Path tmp) throws IOException {
        Path recipientDir = Golden.dir("families/" + name);
        JsonNode golden = Golden.json(recipientDir.resolve("patching.json"));
        assertEquals(golden.get("recipient_A").get("sha256").asText(), Sha256.of(recipientDir.resolve(Checkpoint.SINGLE_FILE)));
        Path donorDir = tmp.resolve("donor");
        Files.createDirectories(donorDir);
        Files.copy(recipientDir.resolve(DecoderConfig.FILE_NAME), donorDir.resolve(DecoderConfig.FILE_NAME));
        writeReversed(recipientDir.resolve(Checkpoint.SINGLE_FILE), donorDir.resolve(Checkpoint.SINGLE_FILE));
        JsonNode m = golden.get("margin");
        int k = m.get("boundary").intValue();
        int[] chosen = Golden.ints(m.get("chosen"));
        int[] rejected = Golden.ints(m.get("rejected"));
        Prompted pair = new Prompted(name, Arrays.copyOf(chosen, k),
                List.of(Arrays.copyOfRange(chosen, k, chosen.length), Arrays.copyOfRange(rejected, k, rejected.length)));
        try (NDManager work = root.newSubManager()) {
            Decoder recipient = Decoder.load(recipientDir, work);
            Decoder donor = Decoder.load(donorDir, work);
            CleanRun ra = CleanRun.of(recipient, work, pair, schedule);
            CleanRun rb = CleanRun.of(donor, work, pair, schedule);
            for (String model : List.of("A", "B")) {
                CleanRun run = model.equals("A") ? ra : rb;
                Golden.assertClose(m.get(model).get("chosen_token_logprobs"), run.tokenLogprobs(0), Tolerance.FAMILY_LOGPROB, name + " " + model);
                Golden.assertClose(m.get(model).get("rejected_token_logprobs"), run.tokenLogprobs(1), Tolerance.FAMILY_LOGPROB, name + " " + model);
                assertEquals(m.get(model).get("margin").doubleValue(),
                        Margin.of(run.tokenLogprobs(0), run.tokenLogprobs(1)).margin(), Tolerance.SUM, name + " " + model);
            }
            Patcher patcher = new Patcher(recipient);
            for (JsonNode c : m.get("patched")) {
                List<float[]> lp = patcher.patched(ra, point(c), intervention(c), Patcher.Targets.donor(rb));
                String what = name + " " + schedule + " " + c.get("hook").asText() + "." + c.get("layer") + " alpha "
                        + c.get("alpha") + " " + c.get("positions").asText();
                Golden.assertClose(c.get("chosen_token_logprobs"), lp.get(0), Tolerance.FAMILY_LOGPROB, what);
                Golden.assertClose(c.get("rejected_token_logprobs"), lp.get(1), Tolerance.FAMILY_LOGPROB, what);
                assertEquals(c.get("margin").doubleValue(), Margin.of(lp.get(0), lp.get(1)).margin(), Tolerance.SUM, what);
            }
            assertThat(m.get("patched").size()).isEqualTo(7);
        }
    }

    /** The script's donor: each tensor's elements in reverse row-major order, stored as float32. */
    private static void writeReversed(Path from, Path to) {
        CheckpointCopies.write(from, to, (name, values, i) -> values.get(values.limit() - 1 - i));
    }

    @ParameterizedTest
    @EnumSource(Schedule.class)
    void donorRunOnOtherTokensIsRefused(Schedule schedule) {
        try (NDManager work = root.newSubManager()) {
            CleanRun ra = CleanRun.of(a, work, new Prompted("x", new int[] {1, 2}, List.of(new int[] {3})), schedule);
            CleanRun rb = CleanRun.of(b, work, new Prompted("y", new int[] {1, 2}, List.of(new int[] {4})), schedule);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Patcher(a).patched(ra, Point.parse("resid_post.1"), Intervention.replace(PatchPositions.ALL),
                            Patcher.Targets.donor(rb)));
            assertThat(e.getMessage()).contains("other tokens");
            assertThrows(IllegalArgumentException.class, () -> new Patcher(a).patched(ra, Point.parse("resid_post.4"),
                    Intervention.replace(PatchPositions.ALL), Patcher.Targets.donor(ra)));
        }
    }
}
