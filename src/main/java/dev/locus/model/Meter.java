package dev.locus.model;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a model has computed since it was loaded, counted as it runs: the benchmarks and the sweep
 * turn differences of two readings into forward-equivalents and FLOPs.
 */
public final class Meter {
    /**
     * @param blockEvaluations one per run per block, however many rows it had
     * @param tokenBlocks rows x blocks
     * @param headRows positions whose full-vocabulary log-softmax was computed
     */
    public record Reading(long blockEvaluations, long tokenBlocks, long headRows) {
        public static final Reading ZERO = new Reading(0, 0, 0);

        public Reading plus(Reading other) {
            return new Reading(blockEvaluations + other.blockEvaluations, tokenBlocks + other.tokenBlocks, headRows + other.headRows);
        }

        /** What was computed between {@code earlier} and this reading. */
        public Reading since(Reading earlier) {
            return new Reading(blockEvaluations - earlier.blockEvaluations, tokenBlocks - earlier.tokenBlocks,
                    headRows - earlier.headRows);
        }
    }

    private final AtomicLong blockEvaluations = new AtomicLong();
    private final AtomicLong tokenBlocks = new AtomicLong();
    private final AtomicLong headRows = new AtomicLong();

    /** One block run over {@code rows} stacked rows of {@code runs} runs. */
    void block(int runs, long rows) {
        blockEvaluations.addAndGet(runs);
        tokenBlocks.addAndGet(rows);
    }

    void head(int rows) {
        headRows.addAndGet(rows);
    }

    public Reading reading() {
        return new Reading(blockEvaluations.get(), tokenBlocks.get(), headRows.get());
    }
}
