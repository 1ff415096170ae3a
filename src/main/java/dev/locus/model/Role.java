package dev.locus.model;

/**
 * What a tensor of a decoder checkpoint is for, whatever its family names it, and the shape the
 * config implies for it ({@code [out][in]} for linear layers, as Hugging Face stores them).
 */
public enum Role {
    EMBED(Kind.EMBEDDING, false),
    INPUT_NORM(Kind.NORM, true),
    Q(Kind.LINEAR, true),
    K(Kind.LINEAR, true),
    V(Kind.LINEAR, true),
    Q_BIAS(Kind.BIAS, true),
    K_BIAS(Kind.BIAS, true),
    V_BIAS(Kind.BIAS, true),
    O(Kind.LINEAR, true),
    /** Gemma-2's norm on attention's output before it joins the residual stream. */
    ATTENTION_OUT_NORM(Kind.NORM, true),
    MLP_NORM(Kind.NORM, true),
    GATE(Kind.LINEAR, true),
    UP(Kind.LINEAR, true),
    DOWN(Kind.LINEAR, true),
    /** Gemma-2's norm on the MLP's output before it joins the residual stream. */
    MLP_OUT_NORM(Kind.NORM, true),
    FINAL_NORM(Kind.NORM, false),
    /** The unembedding; absent where the config ties it to {@link #EMBED}. */
    HEAD(Kind.LINEAR, false);

    /** How a role's values are applied (and generated). */
    public enum Kind { EMBEDDING, NORM, LINEAR, BIAS }

    private final Kind kind;
    private final boolean perBlock;

    Role(Kind kind, boolean perBlock) {
        this.kind = kind;
        this.perBlock = perBlock;
    }

    public Kind kind() {
        return kind;
    }

    /** One tensor per decoder block (else one for the model). */
    public boolean perBlock() {
        return perBlock;
    }

    /** The shape {@code config} implies for this role's tensor. */
    public long[] shape(DecoderConfig c) {
        long d = c.hiddenSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        long ff = c.intermediateSize();
        return switch (this) {
            case EMBED, HEAD -> new long[] {c.vocabSize(), d};
            case INPUT_NORM, ATTENTION_OUT_NORM, MLP_NORM, MLP_OUT_NORM, FINAL_NORM -> new long[] {d};
            case Q -> new long[] {q, d};
            case K, V -> new long[] {kv, d};
            case Q_BIAS -> new long[] {q};
            case K_BIAS, V_BIAS -> new long[] {kv};
            case O -> new long[] {d, q};
            case GATE, UP -> new long[] {ff, d};
            case DOWN -> new long[] {d, ff};
        };
    }
}
