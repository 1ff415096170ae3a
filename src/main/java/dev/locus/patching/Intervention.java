package dev.locus.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;
import java.util.Set;

/**
 * What a patch does to the recipient's value r at a point: one record per kind, each naming the
 * targets it needs and computing its own change, which {@link Patcher} adds to r on the rows of its
 * positions. Every kind is a delta, so unpatched rows stay bit-exact and alpha = 0 is the recipient
 * exactly. For {@code block_out} r and the targets are the blocks' contributions, not the stream.
 */
public sealed interface Intervention {
    /** Where a kind's target values come from, besides r itself. */
    enum Target {
        /** The donor model's value on the same tokens. */
        DONOR,
        /** The donor model's value on another pair, aligned at the prompt/completion boundary. */
        OTHER_PAIR,
        /** The recipient's mean value at the point over every position of every pair. */
        DATASET_MEAN
    }

    PatchPositions positions();

    Set<Target> needs();

    /** The change to r on one segment of rows, before the positions' mask. */
    NDArray change(Segment segment);

    /** The kind's name as the CLI and results spell it. */
    default String kind() {
        return getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    /** The arguments in one stable text, e.g. {@code (alpha=0.5)}. */
    String arguments();

    /** One stable text for results and reports, e.g. {@code interpolate(alpha=0.5)[completion]}. */
    default String describe() {
        return kind() + arguments() + "[" + positions().label() + "]";
    }

    /** The full swap: t - r with t the donor's value. */
    record Replace(PatchPositions positions) implements Intervention {
        public Set<Target> needs() {
            return Set.of(Target.DONOR);
        }

        public NDArray change(Segment s) {
            return s.toDonor();
        }

        public String arguments() {
            return "";
        }
    }

    /** alpha (t - r), i.e. (1-alpha) r + alpha t; alpha outside [0, 1] extrapolates. */
    record Interpolate(double alpha, PatchPositions positions) implements Intervention {
        public Interpolate {
            requireFinite(alpha);
        }

        public Set<Target> needs() {
            return Set.of(Target.DONOR);
        }

        public NDArray change(Segment s) {
            return s.toDonor().mul((float) alpha);
        }

        public String arguments() {
            return "(alpha=" + alpha + ")";
        }
    }

    /** alpha ((t - r) V^T V) for k orthonormal rows V: only span(V) moves. */
    record Subspace(float[][] basis, double alpha, PatchPositions positions) implements Intervention {
        public Subspace {
            requireFinite(alpha);
            checkOrthonormal(basis);
        }

        public Set<Target> needs() {
            return Set.of(Target.DONOR);
        }

        public NDArray change(Segment s) {
            NDArray v = s.r().getManager().create(flatten(basis), new Shape(basis.length, basis[0].length));
            return s.toDonor().matMul(v.transpose()).matMul(v).mul((float) alpha);
        }

        public String arguments() {
            return "(k=" + basis.length + ", alpha=" + alpha + ")";
        }
    }

    /** alpha (0 - r): ablation to zero. */
    record Zero(double alpha, PatchPositions positions) implements Intervention {
        public Zero {
            requireFinite(alpha);
        }

        public Set<Target> needs() {
            return Set.of();
        }

        public NDArray change(Segment s) {
            return s.r().neg().mul((float) alpha);
        }

        public String arguments() {
            return "(alpha=" + alpha + ")";
        }
    }

    /** alpha (m - r) with m the dataset mean at the point. */
    record Mean(double alpha, PatchPositions positions) implements Intervention {
        public Mean {
            requireFinite(alpha);
        }

        public Set<Target> needs() {
            return Set.of(Target.DATASET_MEAN);
        }

        public NDArray change(Segment s) {
            return s.r().neg().add(s.r().getManager().create(s.mean())).mul((float) alpha);
        }

        public String arguments() {
            return "(alpha=" + alpha + ")";
        }
    }

    /** alpha g, g Gaussian per position with the norm of the donor difference |t - r|: a control of the patch's size. */
    record Noise(double alpha, long seed, PatchPositions positions) implements Intervention {
        public Noise {
            requireFinite(alpha);
        }

        public Set<Target> needs() {
            return Set.of(Target.DONOR);
        }

        public NDArray change(Segment s) {
            NDArray norms = s.toDonor().norm(new int[] {-1}, true);
            NDArray gaussian = s.gaussian(seed);
            return gaussian.div(gaussian.norm(new int[] {-1}, true)).mul(norms).mul((float) alpha);
        }

        public String arguments() {
            return "(alpha=" + alpha + ", seed=" + seed + ")";
        }
    }

    /**
     * scale v, one fixed vector added to every row: a steering vector, which needs no donor. At
     * {@code block_out} it adds to the block's contribution, so to the residual stream after it.
     */
    record Steer(float[] vector, double scale, PatchPositions positions) implements Intervention {
        public Steer {
            requireFinite(scale);
        }

        public Set<Target> needs() {
            return Set.of();
        }

        public NDArray change(Segment s) {
            NDArray r = s.r();
            if (r.getShape().get(r.getShape().dimension() - 1) != vector.length) {
                throw new IllegalArgumentException("a steering vector of " + vector.length + " for values of shape " + r.getShape());
            }
            return r.zerosLike().add(r.getManager().create(vector).mul((float) scale));
        }

        public String arguments() {
            return "(norm=" + String.format(Locale.ROOT, "%.4g", norm(vector)) + ", scale=" + scale + ")";
        }

        private static double norm(float[] v) {
            double s = 0;
            for (float x : v) {
                s += (double) x * x;
            }
            return Math.sqrt(s);
        }
    }

    /**
     * alpha (t' - r) with t' the donor's value on another pair (a seeded derangement of the pairs),
     * aligned at the prompt/completion boundary; rows with no aligned partner stay the recipient's.
     */
    record Shuffled(double alpha, long seed, PatchPositions positions) implements Intervention {
        public Shuffled {
            requireFinite(alpha);
        }

        public Set<Target> needs() {
            return Set.of(Target.OTHER_PAIR);
        }

        public NDArray change(Segment s) {
            Segment.Aligned other = s.otherPair();
            return s.r().neg().add(other.values()).mul((float) alpha).mul(other.valid());
        }

        public String arguments() {
            return "(alpha=" + alpha + ", seed=" + seed + ")";
        }
    }

    static Replace replace(PatchPositions positions) {
        return new Replace(positions);
    }

    static Interpolate interpolate(double alpha, PatchPositions positions) {
        return new Interpolate(alpha, positions);
    }

    static Subspace subspace(float[][] basis, double alpha, PatchPositions positions) {
        return new Subspace(basis, alpha, positions);
    }

    static Steer steer(float[] vector, double scale, PatchPositions positions) {
        return new Steer(vector, scale, positions);
    }

    /**
     * The CLI's route: a kind by name with its arguments. An argument the kind does not take is
     * refused, not ignored.
     */
    static Intervention of(String kind, Double alpha, float[][] basis, PatchPositions positions, long seed) {
        String name = kind.toLowerCase(Locale.ROOT);
        if (!name.equals("subspace") && basis != null) {
            throw new IllegalArgumentException(name + " takes no basis (only subspace does)");
        }
        double a = alpha == null ? 1.0 : alpha;
        return switch (name) {
            case "replace" -> {
                if (alpha != null) {
                    throw new IllegalArgumentException("replace takes no alpha: use interpolate for a partial patch");
                }
                yield new Replace(positions);
            }
            case "interpolate" -> new Interpolate(a, positions);
            case "subspace" -> {
                if (basis == null) {
                    throw new IllegalArgumentException("subspace needs a basis of k >= 1 orthonormal rows");
                }
                yield new Subspace(basis, a, positions);
            }
            case "zero" -> new Zero(a, positions);
            case "mean" -> new Mean(a, positions);
            case "noise" -> new Noise(a, seed, positions);
            case "shuffled" -> new Shuffled(a, seed, positions);
            default -> throw new IllegalArgumentException("unknown intervention \"" + kind
                    + "\": expected replace, interpolate, subspace, zero, mean, noise or shuffled");
        };
    }

    private static void requireFinite(double alpha) {
        if (!Double.isFinite(alpha)) {
            throw new IllegalArgumentException("alpha must be finite, found " + alpha);
        }
    }

    private static void checkOrthonormal(float[][] basis) {
        if (basis == null || basis.length == 0) {
            throw new IllegalArgumentException("subspace needs a basis of k >= 1 orthonormal rows (k = 0 is not a subspace)");
        }
        for (int i = 0; i < basis.length; i++) {
            for (int j = i; j < basis.length; j++) {
                if (basis[i].length != basis[0].length) {
                    throw new IllegalArgumentException("subspace basis rows differ in length");
                }
                double dot = 0;
                for (int c = 0; c < basis[i].length; c++) {
                    dot += (double) basis[i][c] * basis[j][c];
                }
                double expected = i == j ? 1 : 0;
                if (Math.abs(dot - expected) > 1e-4) {
                    throw new IllegalArgumentException("subspace basis is not orthonormal: row " + i + " . row " + j + " = " + dot);
                }
            }
        }
    }

    private static float[] flatten(float[][] rows) {
        float[] out = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * rows[0].length, rows[i].length);
        }
        return out;
    }
}
