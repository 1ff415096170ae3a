package dev.locus.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locus.Provenance;
import dev.locus.TestFixtures;
import dev.locus.claims.AsymmetryClaim;
import dev.locus.claims.Claims;
import dev.locus.claims.Expectations;
import dev.locus.claims.HandMade;
import dev.locus.claims.Results;
import dev.locus.claims.SteeringClaim;
import dev.locus.model.Point;
import dev.locus.patching.SteeringFile;
import dev.locus.measure.Measurement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    private static final Expectations EXPECTATIONS = Expectations.read(Path.of("expectations/fixture-localized.yaml"));

    @TempDir
    Path tmp;

    private static Results results(Measurement m) {
        Provenance p = Provenance.of("test").seed(1).file("pairs", TestFixtures.SHIPPED_PAIRS).config("model_type", "llama").build();
        return Results.of("bin/locus reproduce", p, m, EXPECTATIONS);
    }

    private static long count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @Test
    void everyClaimGetsItsChart() throws IOException {
        Report.write(tmp, results(HandMade.measurement(new Random(5), EXPECTATIONS)), null);
        String html = Files.readString(tmp.resolve("report.html"));
        assertThat(count(html, "<svg")).isEqualTo(Claims.ALL.size());
        assertThat(html).doesNotContain("Nothing to draw");
        assertThat(count(Files.readString(tmp.resolve("report.md")), "](charts/")).isEqualTo(Claims.ALL.size());
    }

    /**
     * A run with no gain at all (identical checkpoints, or a fixture whose tuned model cannot move a
     * margin) leaves every share and recovery undefined: the report is still written, saying so
     * where a chart would be, not lost to the chart library's refusal of non-finite ranges.
     */
    @Test
    void aRunWithoutGainIsReportedWithoutItsUndefinedCharts() throws IOException {
        Results results = results(HandMade.withoutGain(HandMade.measurement(new Random(5), EXPECTATIONS)));
        assertThat(results.claims().of(AsymmetryClaim.UNIT).layers().get(0).f()).isNaN();
        Report.write(tmp, results, null);
        String html = Files.readString(tmp.resolve("report.html"));
        assertThat(html).contains("Nothing to draw").contains("precondition fails");
        assertThat(count(html, "<svg")).isLessThan(Claims.ALL.size());
        assertThat(Files.readString(tmp.resolve("report.md"))).contains("Nothing to draw");
    }

    /** The run's vector, with what it was measured on, for generate and for llama.cpp (a block of its own: not block 0). */
    @Test
    void theSteeringVectorIsExportedWithItsPointAndBestWeight() throws IOException {
        Results results = results(HandMade.measurement(new Random(5), EXPECTATIONS));
        Report.write(tmp, results, null);
        SteeringFile file = SteeringFile.read(tmp.resolve(SteeringFile.FILE));
        Measurement m = results.measurement();
        assertThat(file.meanDifference()).containsExactly(m.steering().meanDifference());
        assertThat(file.projected()).containsExactly(m.steering().projected());
        assertThat(file.point()).isEqualTo(new Point(EXPECTATIONS.run().site(), m.peakLayer()));
        assertThat(file.bestScale()).isEqualTo(results.claims().of(SteeringClaim.UNIT).bestScale());
        assertThat(file.modelType()).isEqualTo("llama");
        assertThat(file.hiddenSize()).isEqualTo(m.hiddenSize());
        assertThat(Files.exists(tmp.resolve(SteeringFile.GGUF))).isEqualTo(m.peakLayer() > 0);
        assertThat(Files.readString(tmp.resolve(Report.MARKDOWN))).contains(SteeringFile.FILE);
    }

    /** The first held-out pairs' continuations: the base's, the steered base's (weight 1), the tuned model's. */
    @Test
    void theContinuationsAreShownBaseSteeredAndTuned() throws IOException {
        Measurement m = HandMade.measurement(new Random(5), EXPECTATIONS);
        Measurement shown = new Measurement(m.layers(), m.hiddenSize(), m.sample(), m.layerSweeps(), m.peak(), m.doseAndControls(),
                m.spectrum(), m.subspaces(), m.steering(), List.of(new Measurement.Continued("p1", "Human: hi\n\nAssistant:", "base text",
                        "steered text", "tuned text")));
        Report.write(tmp, results(shown), null);
        assertThat(Files.readString(tmp.resolve(Report.MARKDOWN))).contains("## What the steered base says", "### p1", "base text",
                "steered, c = 1:", "steered text", "tuned text");
        assertThat(Files.readString(tmp.resolve(Report.HTML))).contains("What the steered base says", "steered text", "tuned text");
    }
}
