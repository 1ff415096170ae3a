package dev.locus.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.LocusException;
import dev.locus.data.PreferencePair;
import dev.locus.fixtures.TokenizerJson;
import dev.locus.model.Family;
import dev.locus.model.FamilyOptions;
import dev.locus.model.DecoderConfig;
import dev.locus.model.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairEncoderTest {
    @TempDir
    Path tmp;

    private static final int BOS = TokenizerJson.bosId(0);
    private static final PreferencePair PAIR = new PreferencePair("p1", "helpful-base",
            "\n\nHuman: hi\n\nAssistant: hello\n\nHuman: more?\n\nAssistant:", " yes", " no thanks");

    private Tokenizer tokenizer() throws IOException {
        Files.writeString(tmp.resolve("tokenizer.json"), TokenizerJson.build(List.of()));
        return Tokenizer.load(tmp);
    }

    private static int[] bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            ids[i] = b[i] & 0xFF;
        }
        return ids;
    }

    @Test
    void rawFormatIsContextWithBosThenContinuationWithoutSpecialTokens() throws IOException {
        try (Tokenizer t = tokenizer()) {
            PairEncoder.Ok ok = (PairEncoder.Ok) new PairEncoder(t, BOS, PairEncoder.Format.RAW, 1000, tmp).encode(PAIR);
            int[] prompt = bytes(PAIR.prompt());
            int[] expected = new int[prompt.length + 1];
            expected[0] = BOS;
            System.arraycopy(prompt, 0, expected, 1, prompt.length);
            assertArrayEquals(expected, ok.tokens().prompt());
            assertArrayEquals(bytes(" yes"), ok.tokens().completions().get(0));
            assertArrayEquals(bytes(" no thanks"), ok.tokens().completions().get(1));
        }
    }

    @Test
    void trailingContextWhitespaceMovesToTheContinuation() throws IOException {
        try (Tokenizer t = tokenizer()) {
            PreferencePair spaced = new PreferencePair("s", null, "Q: ", "a", "b");
            PairEncoder.Ok ok = (PairEncoder.Ok) new PairEncoder(t, BOS, PairEncoder.Format.RAW, 1000, tmp).encode(spaced);
            assertArrayEquals(new int[] {BOS, 'Q', ':'}, ok.tokens().prompt());
            assertArrayEquals(new int[] {' ', 'a'}, ok.tokens().completions().get(0));
        }
    }

    @Test
    void overLongPairsAreSkippedWithTheirLength() throws IOException {
        try (Tokenizer t = tokenizer()) {
            int longest = 1 + PAIR.prompt().length() + " no thanks".length();
            PairEncoder.Encoded e = new PairEncoder(t, BOS, PairEncoder.Format.RAW, longest - 1, tmp).encode(PAIR);
            assertThat(e).isInstanceOf(SkippedPair.class);
            assertEquals("too long: " + longest + " tokens > limit " + (longest - 1), ((SkippedPair) e).reason());
            assertThat(new PairEncoder(t, BOS, PairEncoder.Format.RAW, longest, tmp).encode(PAIR)).isInstanceOf(PairEncoder.Ok.class);
        }
    }

    @Test
    void chatFormatRendersLlama3Headers() throws IOException {
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\nhello<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nmore?<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                PairEncoder.chatContext(PAIR.prompt()));
        Files.writeString(tmp.resolve(PairEncoder.CONFIG_FILE),
                "{\"chat_template\": \"{{ '<|start_header_id|>' + role + '<|end_header_id|>' }}{{ '<|eot_id|>' }}\"}");
        try (Tokenizer t = tokenizer()) {
            PairEncoder.Ok ok = (PairEncoder.Ok) new PairEncoder(t, BOS, PairEncoder.Format.CHAT, 1000, tmp).encode(PAIR);
            assertEquals(BOS, ok.tokens().prompt()[0]);
            assertArrayEquals(bytes("yes"), ok.tokens().completions().get(0));
        }
    }

    @Test
    void chatFormatNeedsAChatTemplate() throws IOException {
        try (Tokenizer t = tokenizer()) {
            LocusException e = assertThrows(LocusException.class, () -> new PairEncoder(t, BOS, PairEncoder.Format.CHAT, 100, tmp));
            assertThat(e.getMessage()).contains("no chat template").contains("--format raw");
        }
    }

    /** The line of Qwen2.5's released template that writes its default system turn, as it stands in tokenizer_config.json. */
    private static final String QWEN25_TEMPLATE = "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] "
            + "+ '<|im_end|>\\n' }}{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
            + "assistant.<|im_end|>\\n' }}{%- endif %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}";

    @Test
    void chatMLRendersQwenTurnsAfterTheTemplatesDefaultSystemTurn() {
        ChatTemplate.Known known = ChatTemplate.recognise(QWEN25_TEMPLATE);
        assertEquals(ChatTemplate.CHATML, known.template());
        assertEquals("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.", known.defaultSystem());
        assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                        + "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n"
                        + "<|im_start|>user\nmore?<|im_end|>\n<|im_start|>assistant\n",
                known.template().render(PairEncoder.turns(PAIR.prompt()), known.defaultSystem()));
        assertThat(ChatTemplate.recognise("{{ '<|im_start|>' + message.role }}{{ '<|im_end|>' }}").defaultSystem()).isNull();
    }

    @Test
    void gemmaRendersUserAndModelTurnsAfterBos() {
        ChatTemplate.Known known = ChatTemplate.recognise("{{ bos_token }}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim "
                + "+ '<end_of_turn>\\n' }}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}");
        assertEquals(ChatTemplate.GEMMA, known.template());
        assertEquals("<bos><start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\nhello<end_of_turn>\n"
                        + "<start_of_turn>user\nmore?<end_of_turn>\n<start_of_turn>model\n",
                known.template().render(PairEncoder.turns(PAIR.prompt()), null));
    }

    @Test
    void mistralRendersInstTurnsAndTheReplyFollowsTheLastOne() {
        ChatTemplate.Known known = ChatTemplate.recognise("{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}"
                + "{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
                + "{{ message['content'] + eos_token}}{% endif %}{% endfor %}");
        assertEquals(ChatTemplate.MISTRAL_INST, known.template());
        assertEquals("<s>[INST] hi [/INST]hello</s>[INST] more? [/INST]", known.template().render(PairEncoder.turns(PAIR.prompt()), null));
    }

    @Test
    void aTemplateLocusDoesNotRenderIsRefusedNamingTheField() throws IOException {
        // Mistral v0.3 writes "[/INST]" without the space: another rendering, refused rather than approximated.
        Files.writeString(tmp.resolve(PairEncoder.CONFIG_FILE),
                "{\"chat_template\": \"{{ '[INST] ' + message['content'] + '[/INST]' }}\"}");
        try (Tokenizer t = tokenizer()) {
            LocusException e = assertThrows(LocusException.class, () -> new PairEncoder(t, BOS, PairEncoder.Format.CHAT, 100, tmp));
            assertThat(e.getMessage()).contains(PairEncoder.CONFIG_FILE).contains("chat_template").contains("--format raw");
        }
    }

    @Test
    void aTemplateMarkerThatIsNotOneTokenIsRefused() throws IOException {
        Files.writeString(tmp.resolve(PairEncoder.CONFIG_FILE), "{\"chat_template\": \"{{ '<|im_start|>' + role }}{{ '<|im_end|>' }}\"}");
        try (Tokenizer t = tokenizer()) {
            LocusException e = assertThrows(LocusException.class, () -> new PairEncoder(t, BOS, PairEncoder.Format.CHAT, 100, tmp));
            assertThat(e.getMessage()).contains("tokenizer.json").contains("added_tokens").contains("<|im_start|>").contains("ChatML");
        }
    }

    /** BOS as the tokenizer's own template adds it; without a template, the config's where the family prepends one. */
    @Test
    void bosFollowsTheTokenizersTemplateThenTheFamily() throws IOException {
        DecoderConfig llama = dev.locus.fixtures.RandomCheckpoint.Shape.TINY.config();
        DecoderConfig qwen = llama.as(Family.QWEN2, FamilyOptions.NONE);
        Files.writeString(tmp.resolve("tokenizer.json"), TokenizerJson.build(List.of()));
        assertEquals(llama.bosTokenId(), PairEncoder.bos(tmp, llama));
        assertThat(PairEncoder.bos(tmp, qwen)).as("Qwen2 without a template: none").isNull();
        Files.writeString(tmp.resolve("tokenizer.json"), TokenizerJson.build(List.of(), true));
        assertEquals(BOS, PairEncoder.bos(tmp, qwen));
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(TokenizerJson.build(List.of(), true));
        ArrayNode single = (ArrayNode) root.get("post_processor").get("single");
        single.remove(0);
        Files.writeString(tmp.resolve("tokenizer.json"), json.writeValueAsString(root));
        assertThat(PairEncoder.bos(tmp, llama)).as("a template that starts with the text adds none, whatever the config says").isNull();
    }

    @Test
    void withoutBosAnEmptyPromptIsSkipped() throws IOException {
        try (Tokenizer t = tokenizer()) {
            PairEncoder.Encoded e = new PairEncoder(t, null, PairEncoder.Format.RAW, 100, tmp)
                    .encode(new PreferencePair("e", null, "", "a", "b"));
            assertThat(e).isInstanceOf(SkippedPair.class);
            assertThat(((SkippedPair) e).reason()).contains("empty prompt and no BOS");
            PairEncoder.Ok ok = (PairEncoder.Ok) new PairEncoder(t, null, PairEncoder.Format.RAW, 100, tmp).encode(PAIR);
            assertArrayEquals(bytes(PAIR.prompt()), ok.tokens().prompt());
        }
    }
}
