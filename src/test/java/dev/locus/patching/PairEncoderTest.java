package dev.locus.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locus.LocusException;
import dev.locus.data.PreferencePair;
import dev.locus.fixtures.TokenizerJson;
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
}
