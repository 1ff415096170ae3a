package dev.locus.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
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

    /**
     * Float32 bytes of the unembedding's rows taken per product. A stored head is widened one such
     * block at a time, so a pair's memory is its stored bytes and one decoder block, not a 1.6 GB
     * float32 head. A resident head is taken in the same blocks, so the holding never changes a bit:
     * OpenBLAS rounds a product differently when its columns are split differently (measured: a
     * Llama-3.2-3B head in blocks of 682 or 512 rows gives log-probs a few ulps from the whole
     * product's), so a vocabulary wider than one block is not bit-identical to engines before the
     * split (edc9e28); one of at most one block (every fixture and golden) is.
     */
    static final long BLOCK_BYTES = 8L << 20;

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
            NDArray logits = unembed(finalNorm(rows));
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

    /** Rows of the unembedding per product, whatever the holding: those fitting {@link #BLOCK_BYTES}, at most the vocabulary. */
    static int blockRows(DecoderConfig config) {
        long fit = Math.max(1, BLOCK_BYTES / (4L * config.hiddenSize()));
        return (int) Math.min(config.vocabSize(), fit);
    }

    /** {@code x W^T} over the vocabulary, a block of the head's rows at a time, side by side. */
    private NDArray unembed(NDArray x) {
        int vocab = config.vocabSize();
        int step = blockRows(config);
        if (step == vocab) {
            return weights.headProduct(x, 0, vocab);
        }
        try (NDList blocks = new NDList()) {
            for (int first = 0; first < vocab; first += step) {
                blocks.add(weights.headProduct(x, first, Math.min(step, vocab - first)));
            }
            return NDArrays.concat(blocks, -1);
        }
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
