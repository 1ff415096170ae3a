package dev.locus.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locus.LocusException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarginsFileTest {
    @TempDir
    Path tmp;

    @Test
    void writtenLinesReadBackAsTheSameRecords() throws IOException {
        Prompted pair = new Prompted("p1", new int[] {1, 2, 3}, List.of(new int[] {4, 5}, new int[] {6}));
        Sweep.Cell cell = new Sweep.Cell(dev.locus.model.Point.blockOut(2), Intervention.interpolate(0.5, PatchPositions.COMPLETION));
        PairMargins.Measured measured = PairMargins.Measured.of(pair, new Margin(-3.5, 2, -1.25, 1), new Margin(-2.0, 2, -1.5, 1),
                new Margin(-2.75, 2, -1.375, 1), cell);
        SkippedPair skipped = new SkippedPair("p2", "too long: 9000 tokens > 8192");
        Path file = tmp.resolve("m.jsonl");
        try (MarginsFile.Writer out = MarginsFile.create(file)) {
            out.write(measured);
            out.write(skipped);
        }
        assertEquals(List.of(measured, skipped), MarginsFile.read(file));
        assertEquals(1.75, measured.gain(), 0);
        assertThat(Files.readAllLines(file).get(0)).contains("\"recipient_margin\":-2.25", "\"intervention\":{\"point\":\"block_out.2\"");
    }

    @Test
    void aBrokenLineIsNamed() throws IOException {
        Path file = tmp.resolve("bad.jsonl");
        Files.writeString(file, "{\"id\":\"a\",\"skipped\":\"x\"}\n{\"id\":\"b\",\"prompt_tokens\":3}\n");
        LocusException e = assertThrows(LocusException.class, () -> MarginsFile.read(file));
        assertThat(e.getMessage()).contains("bad.jsonl", "line 2: chosen_tokens", "missing");
    }
}
