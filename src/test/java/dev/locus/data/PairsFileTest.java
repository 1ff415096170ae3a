package dev.locus.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locus.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairsFileTest {
    static final Path HH = Path.of("datasets/hh-rlhf-test-512.jsonl");
    static final Path HHH = Path.of("datasets/hhh-alignment.jsonl");

    @TempDir
    Path tmp;

    @Test
    void theShippedFilesAreTheDocumentedOnes() {
        assertEquals("72379426a48344728ae591668e7abcc9ea97ace7f464ada0f13edb3cd513d835", Sha256.of(HH));
        assertEquals("2c1142a6fb46d9343d7363a9fe0ce84801e88bab6a005d5b3d3e12e5ce212d30", Sha256.of(HHH));
        List<PreferencePair> hh = PairsFile.load(HH);
        assertEquals(512, hh.size());
        assertEquals(256, hh.stream().filter(p -> p.subset().equals("helpful-base")).count());
        assertThat(hh).allSatisfy(p -> {
            assertThat(p.prompt()).startsWith("\n\nHuman:").endsWith("\n\nAssistant:");
            assertThat(p.chosen()).startsWith(" ");
        });
        assertEquals(221, PairsFile.load(HHH).size());
    }

    private PairsFormatException rejects(String... lines) throws IOException {
        Path file = tmp.resolve("pairs.jsonl");
        Files.write(file, List.of(lines));
        PairsFormatException e = assertThrows(PairsFormatException.class, () -> PairsFile.load(file));
        assertThat(e.getMessage()).startsWith(file + ": line ");
        return e;
    }

    private static final String GOOD = "{\"id\":\"a\",\"prompt\":\"\\n\\nHuman: hi\\n\\nAssistant:\",\"chosen\":\" yes\",\"rejected\":\" no\"}";

    @Test
    void brokenJson() throws IOException {
        assertEquals("line 2", rejects(GOOD, "{\"id\": \"b\",").field());
    }

    @Test
    void missingField() throws IOException {
        assertEquals("line 1: rejected", rejects("{\"id\":\"a\",\"prompt\":\"p\",\"chosen\":\" c\"}").field());
    }

    @Test
    void emptyCompletion() throws IOException {
        PairsFormatException e = rejects("{\"id\":\"a\",\"prompt\":\"p\",\"chosen\":\"  \",\"rejected\":\" r\"}");
        assertEquals("line 1: chosen", e.field());
        assertThat(e.getMessage()).contains("empty completion");
    }

    @Test
    void duplicateId() throws IOException {
        PairsFormatException e = rejects(GOOD, "", GOOD);
        assertEquals("line 3: id", e.field());
        assertThat(e.getMessage()).contains("duplicate id \"a\", first on line 1");
    }

    @Test
    void nonStringField() throws IOException {
        assertThat(rejects("{\"id\":3,\"prompt\":\"p\",\"chosen\":\" c\",\"rejected\":\" r\"}").getMessage())
                .contains("line 1: id: expected a string, found number");
    }

    @Test
    void identicalCompletions() throws IOException {
        assertEquals("line 1: rejected", rejects("{\"id\":\"a\",\"prompt\":\"p\",\"chosen\":\" c\",\"rejected\":\" c\"}").field());
    }

    @Test
    void emptyFile() throws IOException {
        assertThat(rejects("", "  ").getMessage()).contains("no pairs");
    }
}
