package dev.locus.model;

/**
 * The options a family adds to Llama's config, as config.json gives them; null where a family or
 * a config has none.
 *
 * @param slidingWindow keys further back than this many positions are masked on the layers
 *     {@link Family#windowed} names
 * @param queryPreAttnScalar Gemma-2's attention scale is its inverse square root; null: head_dim
 * @param attnLogitSoftcap attention scores become cap * tanh(score / cap)
 * @param finalLogitSoftcap the same for the final logits
 */
public record FamilyOptions(Integer slidingWindow, Double queryPreAttnScalar, Double attnLogitSoftcap, Double finalLogitSoftcap) {
    public static final FamilyOptions NONE = new FamilyOptions(null, null, null, null);
}
