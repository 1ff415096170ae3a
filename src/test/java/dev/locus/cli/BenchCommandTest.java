package dev.locus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench} and {@code bench-sweep} on the tiny random shape: every speed is stated against the
 * machine's FMA ceiling, and the time is shared out by primitive. No speed is asserted, only that
 * the figures are consistent: no share of the ceiling above 1, shares of the time summing to 1.
 */
class BenchCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theForwardIsStatedAgainstTheCeilingWithItsProfile() throws IOException {
        Path out = tmp.resolve("forward.json");
        assertEquals(0, Main.run("bench", "--shape", "tiny", "--tokens", "64", "--repeats", "1", "--dir", tmp.toString(), "--out",
                out.toString()));
        JsonNode report = new ObjectMapper().readTree(out.toFile());
        double ceiling = report.get("fma_ceiling_gflops").asDouble();
        assertThat(ceiling).isPositive();
        assertThat(report.get("fma_ceiling").asText()).contains("threads", "-bit FMA");
        assertThat(report.get("best_matmul_share").asDouble()).isBetween(0.0, 1.0);
        assertThat(report.get("forward_share").asDouble()).isBetween(0.0, 1.0);
        assertThat(report.get("forward_share").asDouble()).isCloseTo(report.get("forward_gflops").asDouble() / ceiling,
                org.assertj.core.data.Offset.offset(1e-9));
        assertShares(report.get("forward_profile"));
    }

    @Test
    void theSweepIsStatedAgainstTheCeilingWithItsProfile() throws IOException {
        Path out = tmp.resolve("sweep.json");
        assertEquals(0, Main.run("bench-sweep", "--shape", "tiny", "--schedules", "cached", "--prompt-tokens", "24", "--chosen-tokens", "8",
                "--rejected-tokens", "6", "--dir", tmp.toString(), "--out", out.toString()));
        JsonNode report = new ObjectMapper().readTree(out.toFile());
        assertThat(report.get("fma_ceiling_gflops").asDouble()).isPositive();
        assertThat(report.at("/cached/share_of_ceiling").asDouble()).isBetween(0.0, 1.0);
        assertShares(report.at("/cached/profile"));
    }

    private static void assertShares(JsonNode profile) {
        assertThat(profile.size()).isPositive();
        double total = 0;
        for (JsonNode share : profile) {
            total += share.get("share").asDouble();
        }
        assertThat(total).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }
}
