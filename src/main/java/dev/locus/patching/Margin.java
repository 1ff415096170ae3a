package dev.locus.patching;

import dev.locus.model.Decoder;

/**
 * A preference pair's margin: sum log p(chosen | prompt) - sum log p(rejected | prompt), and the
 * per-token-mean variant that does not reward a shorter completion. Sums are float64 over the
 * float32 per-token log-probs.
 */
public record Margin(double chosenSum, int chosenTokens, double rejectedSum, int rejectedTokens) {
    public static Margin of(float[] chosen, float[] rejected) {
        return new Margin(Decoder.sum(chosen), chosen.length, Decoder.sum(rejected), rejected.length);
    }

    public double margin() {
        return chosenSum - rejectedSum;
    }

    public double meanMargin() {
        return chosenSum / chosenTokens - rejectedSum / rejectedTokens;
    }
}
