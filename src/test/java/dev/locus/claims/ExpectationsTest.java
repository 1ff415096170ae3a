package dev.locus.claims;

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

class ExpectationsTest {
    private static final Path PAPER = Path.of("expectations/llama-3.2-1b.yaml");

    @TempDir
    Path tmp;

    @Test
    void everyShippedFileReads() {
        for (String name : List.of("llama-3.2-1b", "fixture-localized", "fixture-diffuse", "fixture-null")) {
            Expectations e = Expectations.read(Path.of("expectations", name + ".yaml"));
            assertEquals(name, e.name());
            assertEquals(80, e.run().pairs());
        }
        assertThat(Expectations.read(Path.of("expectations/fixture-localized.yaml")).truth().plantedLayers()).contains(3);
        assertThat(Expectations.read(PAPER).truth()).isNull();
    }

    /** The shipped files differ only in what is expected, never in a threshold. */
    @Test
    void fixturesUseThePapersThresholds() {
        Expectations paper = Expectations.read(PAPER);
        for (String kind : List.of("localized", "diffuse", "null")) {
            Expectations f = Expectations.read(Path.of("expectations/fixture-" + kind + ".yaml"));
            assertEquals(paper.run(), f.run(), kind);
            assertEquals(paper.asymmetry().minDifference(), f.asymmetry().minDifference(), kind);
            assertEquals(paper.doseResponse().alphas(), f.doseResponse().alphas(), kind);
            assertEquals(paper.lowRank().minRecovery(), f.lowRank().minRecovery(), kind);
            assertEquals(paper.sparseAttribution().band(), f.sparseAttribution().band(), kind);
        }
    }

    private Path edited(String from, String to) throws IOException {
        String text = Files.readString(PAPER);
        assertThat(text).contains(from);
        Path file = tmp.resolve("edited.yaml");
        Files.writeString(file, text.replace(from, to));
        return file;
    }

    @Test
    void unknownKeyIsRefusedNamingFileAndField() throws IOException {
        Path file = edited("  min_difference: 0.2", "  min_diference: 0.2");
        LocusException e = assertThrows(LocusException.class, () -> Expectations.read(file));
        assertThat(e.getMessage()).contains(file.toString(), "asymmetry.min_diference");
    }

    @Test
    void thresholdOutOfRangeIsRefused() throws IOException {
        Path file = edited("  min_recovery: 0.9", "  min_recovery: 9");
        LocusException e = assertThrows(LocusException.class, () -> Expectations.read(file));
        assertEquals("low_rank.min_recovery", e.field());
        assertThat(e.getMessage()).contains(file.toString(), "must be in [0.0, 1.0], found 9.0");
    }

    @Test
    void missingFieldAndBadVerdictAreRefused() throws IOException {
        Path missing = edited("  max_noise_fraction: 0.2", "");
        assertEquals("asymmetry.max_noise_fraction", assertThrows(LocusException.class, () -> Expectations.read(missing)).field());
        Path verdict = edited("  expect: holds\n  ranks:", "  expect: maybe\n  ranks:");
        LocusException e = assertThrows(LocusException.class, () -> Expectations.read(verdict));
        assertThat(e.field()).isEqualTo("low_rank.expect");
        assertThat(e.getMessage()).contains("holds or fails");
        assertThat(assertThrows(LocusException.class, () -> Expectations.read(tmp.resolve("none.yaml"))).getMessage()).contains("none.yaml");
    }
}
