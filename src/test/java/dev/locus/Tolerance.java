package dev.locus;

/**
 * One tolerance per quantity, at float32 precision, from the golden data's README: measured
 * differences of correct float32 implementations against the reference, with headroom, and tight
 * enough that a misread rms_norm_eps (1e-5 vs 1e-6) fails the residual check.
 */
public final class Tolerance {
    /** Same float32 computation, different summation order (matmul blocking, cached vs recomputed). */
    public static final double FLOAT32_REORDER = 1e-5;
    public static final double EMBEDDINGS = 1e-6;
    public static final double RESIDUAL = 1e-4;
    public static final double LOGPROB = 5e-4;
    public static final double SUM = 1e-3;

    private Tolerance() {}
}
