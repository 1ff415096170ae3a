package dev.locus.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.locus.model.Point;
import java.util.ArrayList;
import java.util.List;

/**
 * Activations read out of two clean runs of the same tokens (one per model): the per-row
 * difference at a point, and its mean L2 norm. Rows are the pair's positions as a
 * {@link PatchPositions} selects them, the prompt's once, then each completion's.
 */
public final class Activations {
    private Activations() {}

    /** Rows of {@code to - from} at the point over the selected positions, [rows][hidden]. */
    public static float[][] differences(CleanRun from, CleanRun to, Point point, PatchPositions positions) {
        NDArray d = stacked(to, point, positions).sub(stacked(from, point, positions));
        int rows = Math.toIntExact(d.getShape().get(0));
        int width = Math.toIntExact(d.getShape().get(1));
        float[] flat = d.toFloatArray();
        float[][] out = new float[rows][width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * width, out[r], 0, width);
        }
        for (float v : flat) {
            if (!Float.isFinite(v)) {
                throw new NonFiniteActivationException(from.tokens.id(), point);
            }
        }
        return out;
    }

    /**
     * Below this share of the larger row's norm, two rows differ by float32 rounding alone (a
     * float32 dot product of a few thousand terms is off by about 1e-5 of its size), and the
     * distance counts as 0.
     */
    public static final double ROUNDING = 1e-4;

    /**
     * mean over the selected positions of ||to - from||_2 at the point, a row that differs by
     * rounding alone ({@link #ROUNDING}) counted 0. Where the models compute the same thing in a
     * different order (a value moved into a dimension nothing downstream reads), later rows differ by
     * a few units in the last place; LASSO standardizes each layer, which would turn that rounding,
     * whose size follows the activations' and so the pair's length, into a feature as large as a real one.
     */
    public static double meanDistance(CleanRun from, CleanRun to, Point point, PatchPositions positions) {
        NDArray a = stacked(from, point, positions);
        NDArray b = stacked(to, point, positions);
        float[] norms = b.sub(a).norm(new int[] {-1}).toFloatArray();
        float[] sizeFrom = a.norm(new int[] {-1}).toFloatArray();
        float[] sizeTo = b.norm(new int[] {-1}).toFloatArray();
        double sum = 0;
        for (int r = 0; r < norms.length; r++) {
            if (!Float.isFinite(norms[r])) {
                throw new NonFiniteActivationException(from.tokens.id(), point);
            }
            double size = Math.max(sizeFrom[r], sizeTo[r]);
            sum += norms[r] > ROUNDING * size ? norms[r] : 0;
        }
        return sum / norms.length;
    }

    private static NDArray stacked(CleanRun run, Point point, PatchPositions positions) {
        if (run.schedule != Schedule.CACHED) {
            throw new IllegalArgumentException("activation read-outs need the cached schedule, whose prompt rows are not repeated");
        }
        int boundary = run.tokens.boundary();
        List<Trace> segments = new ArrayList<>();
        segments.add(run.prompt);
        segments.addAll(run.completions);
        NDList parts = new NDList();
        for (Trace t : segments) {
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < t.rows(); i++) {
                if (positions.includes(t.offset + i, boundary)) {
                    rows.add(i);
                }
            }
            if (rows.isEmpty()) {
                continue;
            }
            NDArray values = t.at(point);
            parts.add(rows.size() == t.rows() ? values : values.get(rows.get(0) + ":" + (rows.get(rows.size() - 1) + 1)));
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException(run.tokens.id() + ": no position is in " + positions.label());
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }

    /** A NaN or infinite activation: the checkpoint, not the analysis, is at fault. */
    public static final class NonFiniteActivationException extends dev.locus.LocusException {
        private static final long serialVersionUID = 1L;

        NonFiniteActivationException(String pair, Point point) {
            super("pair " + pair, point.name(), "non-finite activation difference (NaN or infinity): check the checkpoints' weights", null);
        }
    }
}
