package dev.locus.model;

/** Hugging Face's tensor names for a Llama checkpoint. */
public final class WeightNames {
    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    private WeightNames() {}

    private static String layer(int l, String rest) {
        return "model.layers." + l + "." + rest + ".weight";
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
