package dev.locus.spark;

import dev.locus.LocusException;

/** What a failed Spark job means to the user, once Spark's own retries are spent. */
final class SparkFailure {
    private SparkFailure() {}

    /**
     * The refusal a task raised (bad input on an executor: a checkpoint missing or different
     * there), as the executor raised it; a cluster that went away, named by its master; anything
     * else unchanged (a bug of ours is not the user's input).
     */
    static RuntimeException explain(RuntimeException failure, String master) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof LocusException refused) {
                return refused;
            }
        }
        String message = String.valueOf(failure.getMessage());
        if (message.contains("SparkContext was shut down") || message.contains("stopped SparkContext")) {
            return new LocusException(master, "--spark", "the Spark application ended before the work did (" + firstLine(message)
                    + "): is the master reachable and does it have workers? Spark's log above says why", failure);
        }
        return failure;
    }

    private static String firstLine(String message) {
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
