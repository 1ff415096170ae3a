package dev.locus.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The loop {@link FmaCeiling} times, in the child JVM that has the incubating Vector API: kept
 * apart so that the parent never loads a class that names the module.
 */
final class FmaLoop {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int CHAINS = 12;
    private static final int ROUNDS = 5;
    private static volatile float sink;

    private FmaLoop() {}

    /** The child: warms the loop up until the JIT compiles it, then times the rounds; prints one JSON object. */
    public static void main(String[] args) throws InterruptedException {
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < 20_000; i++) {
            sink += chains(64);
        }
        long iterations = 50_000_000L;
        List<Double> rounds = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Thread[] workers = new Thread[threads];
            long iters = iterations;
            long started = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                workers[t] = new Thread(() -> sink += chains(iters));
                workers[t].start();
            }
            for (Thread w : workers) {
                w.join();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            rounds.add(2.0 * SPECIES.length() * CHAINS * iters * threads / seconds / 1e9);
            // Rounds of about a quarter second: long enough to swamp thread start-up, short enough for five.
            iterations = Math.max(1_000_000L, (long) (iters * 0.25 / seconds));
        }
        double best = rounds.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        StringBuilder json = new StringBuilder(String.format(Locale.ROOT, "{\"gflops\": %.3f, \"threads\": %d, \"vector_bits\": %d, \"rounds\": [",
                best, threads, SPECIES.vectorBitSize()));
        for (int i = 0; i < rounds.size(); i++) {
            json.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", rounds.get(i)));
        }
        System.out.println(json.append("]}"));
    }

    /** Twelve independent FMA chains over {@code iterations}: 2 x lanes x 12 flops an iteration. */
    static float chains(long iterations) {
        FloatVector b = FloatVector.broadcast(SPECIES, 0.9999999f);
        FloatVector c = FloatVector.broadcast(SPECIES, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(SPECIES, 0f);
        FloatVector a1 = FloatVector.broadcast(SPECIES, 1f);
        FloatVector a2 = FloatVector.broadcast(SPECIES, 2f);
        FloatVector a3 = FloatVector.broadcast(SPECIES, 3f);
        FloatVector a4 = FloatVector.broadcast(SPECIES, 4f);
        FloatVector a5 = FloatVector.broadcast(SPECIES, 5f);
        FloatVector a6 = FloatVector.broadcast(SPECIES, 6f);
        FloatVector a7 = FloatVector.broadcast(SPECIES, 7f);
        FloatVector a8 = FloatVector.broadcast(SPECIES, 8f);
        FloatVector a9 = FloatVector.broadcast(SPECIES, 9f);
        FloatVector a10 = FloatVector.broadcast(SPECIES, 10f);
        FloatVector a11 = FloatVector.broadcast(SPECIES, 11f);
        for (long k = 0; k < iterations; k++) {
            a0 = a0.fma(b, c);
            a1 = a1.fma(b, c);
            a2 = a2.fma(b, c);
            a3 = a3.fma(b, c);
            a4 = a4.fma(b, c);
            a5 = a5.fma(b, c);
            a6 = a6.fma(b, c);
            a7 = a7.fma(b, c);
            a8 = a8.fma(b, c);
            a9 = a9.fma(b, c);
            a10 = a10.fma(b, c);
            a11 = a11.fma(b, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
