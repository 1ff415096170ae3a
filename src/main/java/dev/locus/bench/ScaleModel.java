package dev.locus.bench;

import dev.locus.analysis.Svd;
import dev.locus.data.PairSampling;
import dev.locus.data.PairsFile;
import dev.locus.data.PreferencePair;
import dev.locus.measure.Run;
import dev.locus.measure.SyntheticTokens;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * The wall time of a reproduction spread over Spark executors, predicted from measured per-pair
 * times: every executor first opens and verifies both checkpoints, then each per-pair stage runs its
 * pairs in partition order, each on the first executor free (as Spark hands out a stage's tasks),
 * and the driver's steps between stages run alone. Executors are alike (the cores of the machine
 * measured); Spark's own task overhead (milliseconds) is left out.
 *
 * @param sweepSeconds each pair's layer sweeps with its clean runs
 * @param doseSeconds each pair's dose-response and controls
 * @param subspaceSeconds each held-out pair's subspace patches
 * @param driverSeconds L* and the SVD, on the driver
 * @param executorStartSeconds an executor's opening and verifying both checkpoints, before its first task
 */
public record ScaleModel(double[] sweepSeconds, double[] doseSeconds, double[] subspaceSeconds, double driverSeconds,
        double executorStartSeconds) {

    /** Predicted wall seconds of the whole measurement on {@code executors} executors. */
    public double predict(int executors) {
        if (executors < 1) {
            throw new IllegalArgumentException("at least one executor, found " + executors);
        }
        return executorStartSeconds + makespan(sweepSeconds, executors) + makespan(doseSeconds, executors) + driverSeconds
                + makespan(subspaceSeconds, executors);
    }

    /** The executors beyond which no stage gains: one task per pair, so the largest stage's pairs. */
    public int saturation() {
        return Math.max(sweepSeconds.length, Math.max(doseSeconds.length, subspaceSeconds.length));
    }

    /** When the last of {@code tasks}, given in order each to the first free of {@code executors}, ends. */
    static double makespan(double[] tasks, int executors) {
        PriorityQueue<Double> freeAt = new PriorityQueue<>();
        for (int e = 0; e < executors; e++) {
            freeAt.add(0.0);
        }
        double end = 0;
        for (double task : tasks) {
            double done = freeAt.poll() + task;
            freeAt.add(done);
            end = Math.max(end, done);
        }
        return end;
    }

    /**
     * The scale model of a --full-pair run: the run's own sample of that many pairs and its split,
     * each pair's time in each stage its estimated tokens times the per-token time measured here.
     */
    public static ScaleModel of(Path pairsFile, int full, Run run, SyntheticTokens tokens, double sweepPerToken, double dosePerToken,
            double subspacePerToken, int hidden, double executorStartSeconds) {
        List<PreferencePair> sample = PairSampling.stratified(PairsFile.load(pairsFile), full, run.seed());
        Set<String> heldOut = new HashSet<>();
        PairSampling.split(sample, run.heldOutFraction(), run.seed()).heldOut().forEach(p -> heldOut.add(p.id()));
        double[] lengths = sample.stream().mapToDouble(tokens::length).toArray();
        double[] held = sample.stream().filter(p -> heldOut.contains(p.id())).mapToDouble(tokens::length).toArray();
        int fitRows = (int) (Arrays.stream(lengths).sum() - Arrays.stream(held).sum());
        return new ScaleModel(scaled(lengths, sweepPerToken), scaled(lengths, dosePerToken), scaled(held, subspacePerToken),
                svdSeconds(fitRows, hidden, run.seed()), executorStartSeconds);
    }

    /**
     * The driver's SVD at the full run's size, timed: one row per fit-pair token (prompt and both
     * completions, as the patched positions give them) by the hidden size, random normal entries.
     */
    private static double svdSeconds(int rows, int hidden, long seed) {
        Random random = new Random(seed);
        double[][] m = new double[rows][hidden];
        for (double[] row : m) {
            for (int c = 0; c < hidden; c++) {
                row[c] = random.nextGaussian();
            }
        }
        long started = System.nanoTime();
        Svd.of(m);
        return (System.nanoTime() - started) / 1e9;
    }

    private static double[] scaled(double[] lengths, double perToken) {
        return Arrays.stream(lengths).map(l -> l * perToken).toArray();
    }
}
