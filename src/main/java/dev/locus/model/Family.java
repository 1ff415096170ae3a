package dev.locus.model;

import java.util.Locale;

/**
 * The decoder families locus reads, each as Llama's layout plus its own differences, one
 * variation point each: biases on q, k and v (Qwen2); a sliding attention window (Mistral on every
 * layer, Gemma-2 on the even ones); and for Gemma-2 embeddings scaled by sqrt(hidden), norms that
 * scale by 1 + w, a norm after attention and after the MLP ("sandwich"), a tanh-GELU gate,
 * soft-capped attention and final logits, and its own attention scale.
 */
public enum Family {
    LLAMA("llama", "LlamaForCausalLM"),
    QWEN2("qwen2", "Qwen2ForCausalLM"),
    MISTRAL("mistral", "MistralForCausalLM"),
    GEMMA2("gemma2", "Gemma2ForCausalLM");

    /** The MLP's gate activation. */
    public enum Activation {
        /** x * sigmoid(x) */
        SILU,
        /** GELU with the tanh approximation ({@code gelu_pytorch_tanh}) */
        GELU_TANH
    }

    private final String modelType;
    private final String architecture;

    Family(String modelType, String architecture) {
        this.modelType = modelType;
        this.architecture = architecture;
    }

    /** config.json's {@code model_type}. */
    public String modelType() {
        return modelType;
    }

    /** config.json's {@code architectures} entry. */
    public String architecture() {
        return architecture;
    }

    /** Biases on the q, k and v projections (and none on o or the MLP). */
    public boolean qkvBias() {
        return this == QWEN2;
    }

    /** A norm on attention's output and on the MLP's output before each joins the residual stream. */
    public boolean sandwichNorms() {
        return this == GEMMA2;
    }

    /** Norm weights stored as offsets: the scale applied is 1 + w. */
    public boolean unitOffsetNorms() {
        return this == GEMMA2;
    }

    /** Embeddings multiplied by sqrt(hidden_size) before block 0. */
    public boolean scaledEmbeddings() {
        return this == GEMMA2;
    }

    public Activation activation() {
        return this == GEMMA2 ? Activation.GELU_TANH : Activation.SILU;
    }

    /**
     * Whether a prompt starts with the config's {@code bos_token_id} when the tokenizer's own
     * post-processor does not say: Qwen2's tokenizers add none (its {@code bos_token_id} names
     * {@code <|endoftext|>}, which Qwen never prepends), the others add theirs.
     */
    public boolean addsBos() {
        return this != QWEN2;
    }

    /** Whether a config's sliding window applies at {@code layer}. */
    public boolean windowed(int layer) {
        return switch (this) {
            case MISTRAL -> true;
            case GEMMA2 -> layer % 2 == 0;
            case LLAMA, QWEN2 -> false;
        };
    }

    /** The family a CLI option names by its {@code model_type}. */
    public static Family parse(String modelType) {
        Family f = ofModelType(modelType);
        if (f == null) {
            throw new IllegalArgumentException("--family: expected llama, qwen2, mistral or gemma2, found \"" + modelType + "\"");
        }
        return f;
    }

    /** The family of a {@code model_type}, or null. */
    static Family ofModelType(String modelType) {
        for (Family f : values()) {
            if (f.modelType.equals(modelType.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        return null;
    }

    /** The family of an {@code architectures} entry, or null. */
    static Family ofArchitecture(String architecture) {
        for (Family f : values()) {
            if (f.architecture.equals(architecture)) {
                return f;
            }
        }
        return null;
    }
}
