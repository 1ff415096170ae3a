package dev.locus.bench;

import java.util.PriorityQueue;

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
}
