package dev.locus.model;

/**
 * Hugging Face's tensor names for a checkpoint of any {@link Family}. Note the one name that
 * changes role: {@code post_attention_layernorm} is the norm before the MLP in Llama, Qwen2 and
 * Mistral, but the norm on attention's output in Gemma-2, whose MLP is preceded by
 * {@code pre_feedforward_layernorm}.
 */
public final class WeightNames {
    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    private WeightNames() {}

    private static String layer(int l, String rest) {
        return "model.layers." + l + "." + rest + ".weight";
    }

    private static String bias(int l, String rest) {
        return "model.layers." + l + "." + rest + ".bias";
    }

    public static String inputNorm(int l) {
        return layer(l, "input_layernorm");
    }

    public static String postNorm(int l) {
        return layer(l, "post_attention_layernorm");
    }

    public static String q(int l) {
        return layer(l, "self_attn.q_proj");
    }

    public static String k(int l) {
        return layer(l, "self_attn.k_proj");
    }

    public static String v(int l) {
        return layer(l, "self_attn.v_proj");
    }

    public static String o(int l) {
        return layer(l, "self_attn.o_proj");
    }

    /** Gemma-2: the norm before the MLP. */
    public static String preFeedforwardNorm(int l) {
        return layer(l, "pre_feedforward_layernorm");
    }

    /** Gemma-2: the norm on the MLP's output. */
    public static String postFeedforwardNorm(int l) {
        return layer(l, "post_feedforward_layernorm");
    }

    public static String qBias(int l) {
        return bias(l, "self_attn.q_proj");
    }

    public static String kBias(int l) {
        return bias(l, "self_attn.k_proj");
    }

    public static String vBias(int l) {
        return bias(l, "self_attn.v_proj");
    }

    public static String gate(int l) {
        return layer(l, "mlp.gate_proj");
    }

    public static String up(int l) {
        return layer(l, "mlp.up_proj");
    }

    public static String down(int l) {
        return layer(l, "mlp.down_proj");
    }
}
