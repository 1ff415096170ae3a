package dev.locus.claims;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.LocusException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
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
        for (String name : List.of("llama-3.2-1b", "qwen2.5-0.5b", "gemma-2-2b", "fixture-localized", "fixture-diffuse", "fixture-null")) {
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
            for (Claim<?, ?> claim : Claims.ALL) {
                assertEquals(thresholds(paper, claim), thresholds(f, claim), kind + " " + claim.name());
            }
            assertEquals(paper.regression(), f.regression(), kind);
            assertEquals(paper.precondition(), f.precondition(), kind);
        }
    }

    /** The other families' files are the paper's operationalization, block for block: only the depth moves the band. */
    @Test
    void otherFamiliesUseThePapersOperationalization() {
        Expectations paper = Expectations.read(PAPER);
        for (String name : List.of("qwen2.5-0.5b", "gemma-2-2b")) {
            Expectations f = Expectations.read(Path.of("expectations", name + ".yaml"));
            assertEquals(paper.run(), f.run(), name);
            for (Claim<?, ?> claim : Claims.ALL) {
                assertEquals(paper.section(claim), f.section(claim), name + " " + claim.name());
            }
            assertEquals(paper.regression(), f.regression(), name);
            assertEquals(paper.precondition(), f.precondition(), name);
            assertThat(f.truth()).isNull();
        }
    }

    /** A claim's section without its expected verdict. */
    private static JsonNode thresholds(Expectations e, Claim<?, ?> claim) {
        ObjectNode section = new ObjectMapper().valueToTree(e.section(claim));
        section.remove("expect");
        return section;
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

    @Test
    void theOldNameOfNAlphasIsReadWithADeprecationLineAndBothNamesAreRefused() throws IOException {
        Path old = edited("  n_alphas: 100", "  alphas: 100");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        Expectations e;
        try {
            System.setErr(new PrintStream(err, true));
            e = Expectations.read(old);
        } finally {
            System.setErr(saved);
        }
        assertEquals(100, e.section(SparseAttributionClaim.UNIT).nAlphas());
        assertThat(err.toString()).contains(old.toString(), "sparse_attribution.alphas is deprecated", "renamed sparse_attribution.n_alphas");
        Path both = edited("  n_alphas: 100", "  n_alphas: 100\n  alphas: 100");
        LocusException twice = assertThrows(LocusException.class, () -> Expectations.read(both));
        assertEquals("sparse_attribution.alphas", twice.field());
    }

    @Test
    void theRegressionBlockDefaultsFieldByFieldAndIsRangeChecked() throws IOException {
        String withoutBlock = Files.readString(PAPER).replaceAll("(?m)^regression:.*\n(  .*\n)*", "");
        Path none = tmp.resolve("none-given.yaml");
        Files.writeString(none, withoutBlock);
        assertThat(withoutBlock).doesNotContain("regression:");
        assertEquals(Expectations.Regression.DEFAULTS, Expectations.read(none).regression());
        Expectations.Regression partly = Expectations.read(edited("  max_peak_shift: 1", "  max_peak_shift: 2")).regression();
        assertEquals(new Expectations.Regression(2, Expectations.Regression.DEFAULTS.maxShareDrop(),
                Expectations.Regression.DEFAULTS.maxRankSteps()), partly);
        LocusException e = assertThrows(LocusException.class, () -> Expectations.read(edited("  max_share_drop: 0.2", "  max_share_drop: -1")));
        assertEquals("regression.max_share_drop", e.field());
    }

    /** The floor is written in every shipped file; a file from before it had one reads with the default, and a bad one is refused. */
    @Test
    void thePreconditionsFloorDefaultsAndIsRangeChecked() throws IOException {
        assertEquals(0.01, Expectations.read(PAPER).precondition().minGain());
        String withoutBlock = Files.readString(PAPER).replaceAll("(?m)^precondition:.*\n(  .*\n| +#.*\n)*", "");
        assertThat(withoutBlock).doesNotContain("precondition:").doesNotContain("min_gain").contains("asymmetry:");
        Path none = tmp.resolve("older.yaml");
        Files.writeString(none, withoutBlock);
        assertEquals(Expectations.Precondition.DEFAULTS, Expectations.read(none).precondition());
        LocusException e = assertThrows(LocusException.class, () -> Expectations.read(edited("  min_gain: 0.01", "  min_gain: -0.1")));
        assertEquals("precondition.min_gain", e.field());
    }

    @Test
    void sitesAndDirectionsAreNamedValues() throws IOException {
        LocusException site = assertThrows(LocusException.class, () -> Expectations.read(edited("  site: block_out", "  site: attn_out")));
        assertEquals("run.site", site.field());
        assertThat(site.getMessage()).contains("expected block_out or resid_post");
        LocusException direction = assertThrows(LocusException.class,
                () -> Expectations.read(edited("  direction: any", "  direction: sideways")));
        assertEquals("asymmetry.direction", direction.field());
        assertThat(direction.getMessage()).contains("expected any, tuned->base or base->tuned, found \"sideways\"");
        Expectations e = Expectations.read(edited("  direction: any", "  direction: base->tuned"));
        assertEquals(AsymmetryClaim.Dominance.BASE_TO_TUNED, e.section(AsymmetryClaim.UNIT).direction());
        assertEquals(dev.locus.model.Point.Site.BLOCK_OUT, e.run().site());
    }
}
