package dev.locus.spark;

import dev.locus.LocusException;

/** What a failed Spark job means to the user, once Spark's own retries are spent. */
final class SparkFailure {
    private SparkFailure() {}

    /**
     * The refusal a task raised (bad input on an executor: a checkpoint missing or different
     * there), as the executor raised it; an application Spark ended (its master or every executor
     * gone), named by its master; anything else unchanged (a bug of ours is not the user's input).
     */
    static RuntimeException explain(Exception failure, String master, boolean applicationEnded) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof LocusException refused) {
                return refused;
            }
        }
        if (applicationEnded) {
            return new LocusException(master, "--spark", "the Spark application ended before the work did (Spark's log above says "
                    + "why): " + failure, failure);
        }
        return failure instanceof RuntimeException unchecked ? unchecked : new IllegalStateException("a Spark job failed", failure);
    }
}
