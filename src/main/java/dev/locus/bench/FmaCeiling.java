package dev.locus.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * This machine's fp32 FMA ceiling, the yardstick every speed figure is stated against: one thread
 * per core, each running twelve independent chains of fused multiply-adds on the widest vector the
 * CPU has (enough chains in flight to hide the FMA latency on two ports), nothing but registers.
 * Measured with the Java Vector API, which JDK 17 still incubates: it runs in a child JVM started
 * with {@code --add-modules jdk.incubator.vector}, so that no other run of locus needs the module
 * or prints its warning. A C loop of the same shape (gcc -O3 -march=native) gave the same figure
 * here within 3 % (README, "Matrix products").
 */
public final class FmaCeiling {
    /**
     * @param gflops the best of the rounds, all threads together
     * @param threads one per available processor
     * @param vectorBits the widest vector species ({@code FloatVector.SPECIES_PREFERRED})
     * @param rounds each round's figure
     */
    public record Result(double gflops, int threads, int vectorBits, List<Double> rounds) {
        public String describe() {
            return String.format(Locale.ROOT, "%.1f GFLOP/s (%d threads, %d-bit FMA, best of %d rounds)", gflops, threads, vectorBits,
                    rounds.size());
        }
    }

    private FmaCeiling() {}

    /** Measures in a child JVM of the same Java and class path. */
    public static Result measure() {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), FmaLoop.class.getName()));
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("the FMA ceiling's child JVM failed (" + String.join(" ", command) + "): " + out);
            }
            JsonNode json = new ObjectMapper().readTree(out);
            List<Double> rounds = new ArrayList<>();
            json.get("rounds").forEach(r -> rounds.add(r.asDouble()));
            return new Result(json.get("gflops").asDouble(), json.get("threads").asInt(), json.get("vector_bits").asInt(), rounds);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the FMA ceiling's child JVM", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the FMA ceiling", e);
        }
    }
}
