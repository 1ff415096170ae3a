package dev.locus.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * One run's rows as attention sees them: cos/sin of their rotary angles, the additive mask over
 * the prefix's keys and their own (causal, and where the config has a sliding window the same with
 * the keys a window or more behind masked too), and the caches to read from and write to.
 */
final class RunRows implements AutoCloseable {
    final NDArray cos;
    final NDArray sin;
    final NDArray causalMask;
    final NDArray windowMask;
    final KvCache prefix;
    final KvCache capture;
    final long rows;
    /** Keys and values written to {@link #capture}, handed to the enclosing scope when the run ends. */
    final List<NDArray> captured = new ArrayList<>();

    private RunRows(NDArray cos, NDArray sin, NDArray causalMask, NDArray windowMask, KvCache prefix, KvCache capture) {
        this.rows = cos.getShape().get(0);
        this.cos = cos;
        this.sin = sin;
        this.causalMask = causalMask;
        this.windowMask = windowMask;
        this.prefix = prefix;
        this.capture = capture;
    }

    /**
     * The tables of rows placed by {@code packing} after {@code prefix}, in {@code m}.
     *
     * @param window the config's sliding window, or null
     */
    static RunRows of(NDManager m, float[] invFreq, Integer window, Packing packing, KvCache prefix, KvCache capture) {
        int rows = packing.rows();
        int offset = prefix == null ? 0 : prefix.length();
        int hd = 2 * invFreq.length;
        float[][] angles = Rope.cosSin(invFreq, packing.positions());
        return new RunRows(
                m.create(angles[0], new Shape(rows, hd)),
                m.create(angles[1], new Shape(rows, hd)),
                m.create(mask(packing, offset, null), new Shape(rows, offset + rows)),
                window == null ? null : m.create(mask(packing, offset, window), new Shape(rows, offset + rows)),
                prefix,
                capture);
    }

    /**
     * {@code [rows][offset + rows]}: 0 where a row sees a key, minus infinity where not. The prefix
     * holds positions {@code 0..offset-1}; a row sees a prefix key at or before its position and the
     * packing's rows {@link Packing#sees} says it sees; a window also hides keys {@code window} or
     * more positions behind.
     */
    static float[] mask(Packing packing, int offset, Integer window) {
        int rows = packing.rows();
        int total = offset + rows;
        float[] mask = new float[rows * total];
        for (int q = 0; q < rows; q++) {
            int position = packing.positions()[q];
            for (int k = 0; k < total; k++) {
                boolean own = k >= offset;
                int keyPosition = own ? packing.positions()[k - offset] : k;
                boolean seen = own ? packing.sees(q, k - offset) : k <= position;
                boolean inWindow = window == null || position - keyPosition < window;
                mask[q * total + k] = seen && inWindow ? 0f : Float.NEGATIVE_INFINITY;
            }
        }
        return mask;
    }

    /** The mask of a layer with this sliding window (null: none). */
    NDArray mask(Integer window) {
        return window == null ? causalMask : windowMask;
    }

    @Override
    public void close() {
        cos.close();
        sin.close();
        causalMask.close();
        if (windowMask != null) {
            windowMask.close();
        }
    }
}
