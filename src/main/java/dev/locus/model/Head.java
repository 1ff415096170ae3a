package dev.locus.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * The final norm and the unembedding: log-probs computed only at the positions asked for, in
 * chunks of rows, because a 128k-wide head over every position is most of the cost of a short
 * forward and its logits are the largest tensor of a pass.
 */
final class Head {
    /** Rows per head pass: bounds the [rows][vocab] logits (256 x 128256 floats = 131 MB for Llama-3.2). */
    private static final int CHUNK_ROWS = 256;

    private final DecoderConfig config;
    private final DecoderWeights weights;
    private final Meter meter;
    private final String source;

    Head(DecoderConfig config, DecoderWeights weights, Meter meter, String source) {
        this.config = config;
        this.weights = weights;
        this.meter = meter;
        this.source = source;
    }

    NDArray finalNorm(NDArray lastResid) {
        return Primitives.rmsNorm(lastResid, weights.finalNorm(), config.rmsNormEps());
    }

    /** {@code log_softmax(head(final_norm(rows)))} at the given positions, in the manager of {@code lastResid}. */
    NDArray logprobs(NDArray lastResid, int[] positions) {
        NDArray rows = rows(lastResid, positions);
        meter.head(positions.length);
        NDArray result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits = Primitives.linear(finalNorm(rows), weights.head());
            Double cap = config.options().finalLogitSoftcap();
            result = (cap == null ? logits : Primitives.softcap(logits, cap)).logSoftmax(-1);
            NDScope.unregister(result);
        } finally {
            if (rows != lastResid) {
                rows.close();
            }
        }
        NDScope.register(result);
        return result;
    }

    /** {@code log p(targets[i])} at row {@code rows[i]}, chunk by chunk; only the picked values leave native memory. */
    float[] tokenLogprobs(NDArray lastResid, int[] rows, int[] targets) {
        if (rows.length != targets.length) {
            throw new IllegalArgumentException(rows.length + " rows for " + targets.length + " targets");
        }
        for (int target : targets) {
            if (target < 0 || target >= config.vocabSize()) {
                throw new TokenInputException(source, "ids", "token id " + target + " outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
        float[] result = new float[rows.length];
        for (int start = 0; start < rows.length; start += CHUNK_ROWS) {
            int n = Math.min(CHUNK_ROWS, rows.length - start);
            long[] index = new long[n];
            for (int i = 0; i < n; i++) {
                index[i] = targets[start + i];
            }
            try (NDArray lp = logprobs(lastResid, Arrays.copyOfRange(rows, start, start + n));
                    NDArray picks = lp.getManager().create(index, new Shape(n, 1));
                    NDArray picked = lp.gather(picks, 1)) {
                System.arraycopy(picked.toFloatArray(), 0, result, start, n);
            }
        }
        Numerics.requireFinite(result, source, "log-probs");
        return result;
    }

    private static NDArray rows(NDArray x, int[] positions) {
        long t = x.getShape().get(0);
        if (positions.length == 0) {
            throw new IllegalArgumentException("no positions requested");
        }
        boolean contiguous = true;
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] < 0 || positions[i] >= t) {
                throw new IllegalArgumentException("position " + positions[i] + " outside 0.." + (t - 1));
            }
            contiguous &= positions[i] == positions[0] + i;
        }
        if (contiguous && positions.length == t) {
            return x;
        }
        if (contiguous) {
            return x.get(positions[0] + ":" + (positions[0] + positions.length));
        }
        long[] index = new long[positions.length];
        for (int i = 0; i < index.length; i++) {
            index[i] = positions[i];
        }
        try (NDArray indexArray = x.getManager().create(index)) {
            return x.get(new NDIndex("{}", indexArray));
        }
    }
}
