package dev.locus.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locus.LocusException;
import dev.locus.fixtures.TokenizerJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {
    @TempDir
    Path tmp;

    private Tokenizer byteLevel(List<String[]> merges) throws IOException {
        Files.writeString(tmp.resolve("tokenizer.json"), TokenizerJson.build(merges));
        return Tokenizer.load(tmp);
    }

    @Test
    void byteLevelIdsAreTheUtf8Bytes() throws IOException {
        try (Tokenizer t = byteLevel(List.of())) {
            String text = "\n\nHuman: caf\u00e9?";
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            int[] expected = new int[utf8.length];
            for (int i = 0; i < utf8.length; i++) {
                expected[i] = utf8[i] & 0xFF;
            }
            assertArrayEquals(expected, t.encode(text));
            assertEquals(text, t.decode(t.encode(text)));
        }
    }

    @Test
    void mergesApply() throws IOException {
        try (Tokenizer t = byteLevel(List.of(new String[] {"H", "u"}, new String[] {"Hu", "m"}))) {
            assertArrayEquals(new int[] {257, 'a', 'n'}, t.encode("Human"));
        }
    }

    /** DJL's default would cut this to 512 tokens without a word. */
    @Test
    void longInputIsNotTruncated() throws IOException {
        try (Tokenizer t = byteLevel(List.of())) {
            String text = "x".repeat(3000);
            assertEquals(3000, t.encode(text).length);
            assertThat(t.truncation()).isEqualTo("DO_NOT_TRUNCATE");
        }
    }

    @Test
    void specialTokensAreNotAddedButAreRecognised() throws IOException {
        try (Tokenizer t = byteLevel(List.of())) {
            assertArrayEquals(new int[] {'a'}, t.encode("a"));
            assertArrayEquals(new int[] {TokenizerJson.bosId(0), 'a'}, t.encode("<|begin_of_text|>a"));
        }
    }

    @Test
    void missingTokenizer() {
        LocusException e = assertThrows(LocusException.class, () -> Tokenizer.load(tmp));
        assertThat(e.getMessage()).contains("tokenizer.json").contains("not found");
    }

    @Test
    void brokenTokenizer() throws IOException {
        Files.writeString(tmp.resolve("tokenizer.json"), "{\"model\": 3}");
        LocusException e = assertThrows(LocusException.class, () -> Tokenizer.load(tmp));
        assertEquals("(tokenizer)", e.field());
    }
}
