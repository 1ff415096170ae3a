package dev.locus.cli;

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

/**
 * {@code bin/locus seed-sweep}'s input: seeds and ranges, families and kinds by name, a new folder.
 * What it measures is the user's own two commands per fixture; CI runs it on three seeds per kind
 * ({@code .ci/gate-as-user}).
 */
class SeedSweepCommandTest {
    @TempDir
    Path tmp;

    @Test
    void seedsAreListsAndRangesEachOnceInTheOrderGiven() {
        assertEquals(List.of(1L, 2L, 3L, 7L), SeedSweepCommand.parseSeeds("1-3,7,2"));
        assertEquals(List.of(424242L, 11L, 12L), SeedSweepCommand.parseSeeds("424242, 11-12"));
        for (String bad : List.of("", "a", "3-1", "1-", "1-100000")) {
            LocusException e = assertThrows(LocusException.class, () -> SeedSweepCommand.parseSeeds(bad), bad);
            assertEquals("--seeds", e.field());
        }
    }

    @Test
    void unknownFamiliesKindsAndAnUsedFolderAreRefusedBeforeAnythingRuns() throws IOException {
        Cli family = Cli.run("seed-sweep", "--families", "llama,phi3", "--out", tmp.resolve("a").toString());
        assertEquals(2, family.code());
        assertThat(family.err()).contains("--families", "phi3").doesNotContain("--family:");
        Cli kind = Cli.run("seed-sweep", "--kinds", "localised", "--out", tmp.resolve("b").toString());
        assertEquals(2, kind.code());
        assertThat(kind.err()).contains("--kinds", "localised");
        Path used = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(used.resolve("seed-sweep.md"), "an earlier sweep");
        Cli folder = Cli.run("seed-sweep", "--seeds", "1", "--out", used.toString());
        assertEquals(2, folder.code());
        assertThat(folder.err()).contains(used.toString(), "--out", "exists");
        Cli jobs = Cli.run("seed-sweep", "--jobs", "0", "--out", tmp.resolve("c").toString());
        assertEquals(2, jobs.code());
        assertThat(jobs.err()).contains("--jobs");
        assertThat(tmp.resolve("a")).doesNotExist();
        assertThat(tmp.resolve("c")).doesNotExist();
    }
}
