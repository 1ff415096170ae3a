package dev.locus.model;

import static dev.locus.model.Layout.slot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * The decoder families locus reads, each as Llama's architecture plus its own differences, one
 * variation point each: biases on q, k and v (Qwen2); a sliding attention window (Mistral on every
 * layer, Gemma-2 on the even ones); and for Gemma-2 embeddings scaled by sqrt(hidden), norms that
 * scale by 1 + w, a norm after attention and after the MLP ("sandwich"), a tanh-GELU gate,
 * soft-capped attention and final logits, and its own attention scale.
 *
 * <p>Each family owns its tensor {@link Layout} and how its {@link FamilyOptions} read from and
 * write to config.json: adding a family is an entry here and its golden case.
 */
public enum Family {
    LLAMA("llama", "LlamaForCausalLM", Layout.of(Layout.ATTENTION_INPUTS, List.of(
            Layout.ATTENTION_OUTPUT,
            slot(Role.MLP_NORM, "post_attention_layernorm.weight")), Layout.MLP)),
    QWEN2("qwen2", "Qwen2ForCausalLM", Layout.of(Layout.ATTENTION_INPUTS, List.of(
            slot(Role.Q_BIAS, "self_attn.q_proj.bias"),
            slot(Role.K_BIAS, "self_attn.k_proj.bias"),
            slot(Role.V_BIAS, "self_attn.v_proj.bias"),
            Layout.ATTENTION_OUTPUT,
            slot(Role.MLP_NORM, "post_attention_layernorm.weight")), Layout.MLP)),
    MISTRAL("mistral", "MistralForCausalLM", LLAMA.layout),
    /** Note the one name that changes role: {@code post_attention_layernorm} is the norm on attention's output here. */
    GEMMA2("gemma2", "Gemma2ForCausalLM", Layout.of(Layout.ATTENTION_INPUTS, List.of(
            Layout.ATTENTION_OUTPUT,
            slot(Role.ATTENTION_OUT_NORM, "post_attention_layernorm.weight"),
            slot(Role.MLP_NORM, "pre_feedforward_layernorm.weight"),
            slot(Role.MLP_OUT_NORM, "post_feedforward_layernorm.weight")), Layout.MLP));

    /** The MLP's gate activation. */
    public enum Activation {
        /** x * sigmoid(x) */
        SILU,
        /** GELU with the tanh approximation ({@code gelu_pytorch_tanh}) */
        GELU_TANH
    }

    /** Gemma-2's released soft-caps (every released size): attention scores and final logits. */
    private static final double GEMMA2_ATTENTION_SOFTCAP = 50.0;
    private static final double GEMMA2_FINAL_SOFTCAP = 30.0;

    private final String modelType;
    private final String architecture;
    private final Layout layout;

    Family(String modelType, String architecture, Layout layout) {
        this.modelType = modelType;
        this.architecture = architecture;
        this.layout = layout;
    }

    /** config.json's {@code model_type}. */
    public String modelType() {
        return modelType;
    }

    /** config.json's {@code architectures} entry. */
    public String architecture() {
        return architecture;
    }

    public Layout layout() {
        return layout;
    }

    /** Biases on the q, k and v projections (and none on o or the MLP). */
    public boolean qkvBias() {
        return layout.has(Role.Q_BIAS);
    }

    /** A norm on attention's output and on the MLP's output before each joins the residual stream. */
    public boolean sandwichNorms() {
        return layout.has(Role.ATTENTION_OUT_NORM);
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

    /** The config.json key naming the activation. */
    String activationKey() {
        return this == GEMMA2 ? "hidden_activation" : "hidden_act";
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

    /**
     * The options this family's released models set, with a window and an attention scale of the
     * caller's where the family has them (generators and tests): none for Llama and Qwen2, the
     * window for Mistral, and for Gemma-2 the window, the scale and its soft-caps.
     */
    public FamilyOptions releasedOptions(int window, double queryPreAttnScalar) {
        return switch (this) {
            case LLAMA, QWEN2 -> FamilyOptions.NONE;
            case MISTRAL -> new FamilyOptions(window, null, null, null);
            case GEMMA2 -> new FamilyOptions(window, queryPreAttnScalar, GEMMA2_ATTENTION_SOFTCAP, GEMMA2_FINAL_SOFTCAP);
        };
    }

    /** This family's options from config.json, refusing the ones locus does not compute. */
    FamilyOptions readOptions(ConfigFields f) {
        return switch (this) {
            case LLAMA -> FamilyOptions.NONE;
            case QWEN2 -> {
                if (f.optBoolean("use_sliding_window", false)) {
                    throw f.refuse("use_sliding_window", "true is not supported: Qwen2's window applies from "
                            + "max_window_layers on, which locus does not compute; released Qwen2/2.5 configs set it false");
                }
                yield FamilyOptions.NONE;
            }
            case MISTRAL -> new FamilyOptions(f.has("sliding_window") ? f.positiveInt("sliding_window") : null, null, null, null);
            case GEMMA2 -> new FamilyOptions(f.positiveInt("sliding_window"), f.positiveDouble("query_pre_attn_scalar"),
                    f.has("attn_logit_softcapping") ? f.positiveDouble("attn_logit_softcapping") : null,
                    f.has("final_logit_softcapping") ? f.positiveDouble("final_logit_softcapping") : null);
        };
    }

    /** The options (and this family's fixed flags) as config.json states them. */
    void writeOptions(FamilyOptions o, ObjectNode root) {
        switch (this) {
            case LLAMA -> {
                root.put("attention_bias", false);
                root.put("mlp_bias", false);
            }
            case QWEN2 -> root.put("use_sliding_window", false);
            case MISTRAL, GEMMA2 -> { }
        }
        if (o.slidingWindow() != null) {
            root.put("sliding_window", o.slidingWindow());
        }
        if (o.queryPreAttnScalar() != null) {
            root.put("query_pre_attn_scalar", o.queryPreAttnScalar());
        }
        if (o.attnLogitSoftcap() != null) {
            root.put("attn_logit_softcapping", o.attnLogitSoftcap());
        }
        if (o.finalLogitSoftcap() != null) {
            root.put("final_logit_softcapping", o.finalLogitSoftcap());
        }
    }

    /** The family a CLI option names by its {@code model_type}. */
    public static Family parse(String modelType) {
        Family f = ofModelType(modelType);
        if (f == null) {
            throw new IllegalArgumentException("expected llama, qwen2, mistral or gemma2, found \"" + modelType + "\"");
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
