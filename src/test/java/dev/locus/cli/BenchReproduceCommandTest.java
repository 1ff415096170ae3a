package dev.locus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import dev.locus.bench.Extrapolation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench-reproduce} on the tiny random shape: every phase timed, the extrapolation and the memory figures written. */
class BenchReproduceCommandTest {
    @TempDir
    Path tmp;

    @Test
    void timesEveryPhaseAndExtrapolates() throws IOException {
        Path out = tmp.resolve("reproduce.json");
        assertEquals(0, Main.run("bench-reproduce", "--shape", "tiny", "--n", "4", "--full", "80", "--dir", tmp.toString(),
                "--out", out.toString()));
        JsonNode report = new ObjectMapper().readTree(out.toFile());
        for (String phase : new String[] {"layer_sweeps", "dose_and_controls", "svd", "subspace_patches"}) {
            assertThat(report.at("/seconds/" + phase).asDouble()).as(phase).isPositive();
        }
        assertEquals(4, report.get("pairs").asInt());
        assertEquals(2, report.get("held_out_pairs").asInt());
        // The phases' own timings, carried into the extrapolation (its arithmetic is ExtrapolationTest's).
        assertThat(report.get("per_pair_layer_sweeps_with_clean_runs").asDouble()).isEqualTo(report.at("/seconds/layer_sweeps").asDouble() / 4);
        assertThat(report.get("per_held_out_pair_subspace").asDouble()).isEqualTo(report.at("/seconds/subspace_patches").asDouble() / 2);
        double expected = new Extrapolation(report.get("per_pair_layer_sweeps_with_clean_runs").asDouble(),
                report.get("per_pair_dose_and_controls").asDouble(), report.get("per_held_out_pair_subspace").asDouble(),
                report.get("length_scale").asDouble(), 80, 40, report.at("/seconds/svd").asDouble()).seconds();
        assertThat(report.get("extrapolated_seconds").asDouble()).isEqualTo(expected);
        assertThat(report.get("peak_rss_bytes").asLong()).isPositive();
        long stored = 0;
        for (String seed : new String[] {"7", "8"}) {
            stored += dev.locus.model.Checkpoint.open(tmp.resolve("tiny-random-seed" + seed)).weightBytes();
        }
        assertThat(report.get("both_models_stored_bytes").asLong()).as("the two BF16 checkpoints' tensor bytes").isEqualTo(stored);
        assertThat(report.get("both_models_float32_bytes").asLong()).isEqualTo(2 * stored);
        assertThat(report.get("peak_rss_vs_stored_1_1x_plus_3gb").asDouble())
                .isCloseTo(report.get("peak_rss_bytes").asLong() / (1.1 * stored + 3e9), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(report.get("matmul").asText()).isEqualTo(dev.locus.model.Gemm.choice().description());
        // On one executor the scale model is the extrapolation, pair by pair instead of by the mean length (the held-out
        // pairs' own lengths, not the sample's mean, in the subspace stage: a few per cent apart), plus an executor's start.
        JsonNode model = report.get("scale_model");
        assertThat(model.at("/predicted_seconds/1").asDouble() - model.get("executor_start_seconds").asDouble()
                - model.get("driver_seconds").asDouble())
                .isCloseTo(expected - report.at("/seconds/svd").asDouble(), org.assertj.core.data.Percentage.withPercentage(10));
        assertThat(model.at("/predicted_seconds/64").asDouble()).isLessThan(model.at("/predicted_seconds/16").asDouble())
                .isLessThan(model.at("/predicted_seconds/4").asDouble());
        assertThat(model.get("saturation_executors").asInt()).isEqualTo(80);
    }

    @Test
    void onSparkTheSameFiguresAreWrittenAndTheRunnerNamed() throws IOException {
        Path out = tmp.resolve("reproduce-spark.json");
        assertEquals(0, Main.run("bench-reproduce", "--shape", "tiny", "--n", "4", "--dir", tmp.toString(), "--spark", "local[2]",
                "--out", out.toString()));
        JsonNode report = new ObjectMapper().readTree(out.toFile());
        assertThat(report.get("runner").asText()).startsWith("spark local[2] (Spark ").endsWith(", 2 cores per task)");
        for (String phase : new String[] {"layer_sweeps", "dose_and_controls", "svd", "subspace_patches", "total"}) {
            assertThat(report.at("/seconds/" + phase).asDouble()).as(phase).isPositive();
        }
        assertThat(report.get("extrapolated_seconds").asDouble()).isPositive();
    }

    @Test
    void needsAFittedAndAHeldOutPair() {
        assertEquals(Main.BAD_INPUT, Main.run("bench-reproduce", "--shape", "tiny", "--n", "1", "--dir", tmp.toString()));
    }
}
