package dev.locus.patching;

import java.util.Locale;

/**
 * What a patch does to the recipient's value r at a point, given a target t. Every kind is a delta
 * added to r, so unpatched rows stay bit-exact and alpha = 0 is the recipient exactly:
 * <ul>
 *   <li>{@code replace}: t - r with t the donor's value (the full swap);
 *   <li>{@code interpolate(alpha)}: alpha (t - r), i.e. (1-alpha) r + alpha t; alpha outside [0, 1] extrapolates;
 *   <li>{@code subspace(V, alpha)}: alpha ((t - r) V^T V) for k orthonormal rows V: only span(V) moves;
 *   <li>{@code zero}, {@code mean}, {@code shuffled}: alpha (t - r) with t = 0, the dataset mean at
 *       the point, or the donor's value from another pair aligned at the prompt/completion boundary;
 *   <li>{@code noise}: alpha g, g Gaussian per position with the norm of the donor difference |t - r|.
 * </ul>
 * For {@code block_out} r and t are the blocks' contributions, not the residual stream.
 */
public record Intervention(Kind kind, double alpha, float[][] basis, PatchPositions positions, long seed) {
    public enum Kind {
        REPLACE,
        INTERPOLATE,
        SUBSPACE,
        ZERO,
        MEAN,
        NOISE,
        SHUFFLED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String name) {
            try {
                return valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown intervention \"" + name
                        + "\": expected replace, interpolate, subspace, zero, mean, noise or shuffled");
            }
        }
    }

    public Intervention {
        if (!Double.isFinite(alpha)) {
            throw new IllegalArgumentException("alpha must be finite, found " + alpha);
        }
        if ((kind == Kind.SUBSPACE) != (basis != null)) {
            throw new IllegalArgumentException(kind == Kind.SUBSPACE
                    ? "subspace needs a basis of k >= 1 orthonormal rows" : kind.label() + " takes no basis");
        }
        if (basis != null) {
            checkOrthonormal(basis);
        }
    }

    public static Intervention replace(PatchPositions positions) {
        return new Intervention(Kind.REPLACE, 1.0, null, positions, 0);
    }

    public static Intervention interpolate(double alpha, PatchPositions positions) {
        return new Intervention(Kind.INTERPOLATE, alpha, null, positions, 0);
    }

    public static Intervention subspace(float[][] basis, double alpha, PatchPositions positions) {
        return new Intervention(Kind.SUBSPACE, alpha, basis, positions, 0);
    }

    public static Intervention ablation(Kind kind, PatchPositions positions, long seed) {
        return new Intervention(kind, 1.0, null, positions, seed);
    }

    /** Whether the target is the donor's own activation on the same tokens. */
    public boolean needsDonor() {
        return kind == Kind.REPLACE || kind == Kind.INTERPOLATE || kind == Kind.SUBSPACE || kind == Kind.NOISE;
    }

    /** One stable text for results and reports, e.g. {@code interpolate(alpha=0.5)[completion]}. */
    public String describe() {
        String args = switch (kind) {
            case REPLACE -> "";
            case SUBSPACE -> "(k=" + basis.length + ", alpha=" + alpha + ")";
            case NOISE, SHUFFLED -> "(alpha=" + alpha + ", seed=" + seed + ")";
            default -> "(alpha=" + alpha + ")";
        };
        return kind.label() + args + "[" + positions.label() + "]";
    }

    private static void checkOrthonormal(float[][] basis) {
        if (basis.length == 0) {
            throw new IllegalArgumentException("subspace basis has no rows (k = 0 is not a subspace)");
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
}
