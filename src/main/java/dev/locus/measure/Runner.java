package dev.locus.measure;

import java.util.function.Consumer;

/**
 * Where a measurement's per-pair work runs: {@link InProcess} in this JVM, or elsewhere (Spark's
 * executors, {@code dev.locus.spark}). The driver plans, computes L* and the SVD, and journals every
 * outcome that comes back, so a run resumes the same whichever runner made its units.
 */
public interface Runner extends AutoCloseable {
    /** Where results' provenance names the runner; not part of a journal's identity, so a run may switch runners on resume. */
    String PROVENANCE_KEY = "runner";

    /**
     * Runs {@code work} on the plan's pairs that {@code todo} names (indices), handing each pair's
     * outcome to {@code done} as it finishes, one call at a time.
     */
    void run(PairWork work, int[] todo, Consumer<PairOutcome> done);

    /** How the work is spread, as results' provenance names it ({@code runner}). */
    String describe();

    @Override
    void close();
}
