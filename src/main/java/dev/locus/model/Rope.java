package dev.locus.model;

/**
 * Rotary position tables as Hugging Face computes them: inverse frequencies in float32, llama3
 * frequency scaling applied once, angles {@code t * inv_freq} rounded to float32 before cos/sin,
 * repeated over both halves of the head dimension (rotate-half layout).
 */
public final class Rope {
    private Rope() {}

    public static float[] inverseFrequencies(DecoderConfig c) {
        int half = c.headDim() / 2;
        float[] inv = new float[half];
        for (int j = 0; j < half; j++) {
            float exponent = (float) (2 * j) / c.headDim();
            inv[j] = (float) (1.0 / Math.pow(c.ropeTheta(), exponent));
        }
        DecoderConfig.RopeScaling s = c.ropeScaling();
        if (s == null) {
            return inv;
        }
        double lowWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
        double highWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
        for (int j = 0; j < half; j++) {
            double wavelen = 2 * Math.PI / inv[j];
            if (wavelen > lowWavelen) {
                inv[j] = (float) (inv[j] / s.factor());
            } else if (wavelen >= highWavelen) {
                double smooth = (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                inv[j] = (float) ((1 - smooth) * inv[j] / s.factor() + smooth * inv[j]);
            }
        }
        return inv;
    }

    /** {cos, sin} for the given positions, each {@code [positions][head_dim]} flattened. */
    public static float[][] cosSin(float[] invFreq, int[] positions) {
        int length = positions.length;
        int half = invFreq.length;
        int hd = 2 * half;
        float[] cos = new float[length * hd];
        float[] sin = new float[length * hd];
        for (int t = 0; t < length; t++) {
            for (int j = 0; j < half; j++) {
                float angle = (float) positions[t] * invFreq[j];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[t * hd + j] = c;
                cos[t * hd + j + half] = c;
                sin[t * hd + j] = s;
                sin[t * hd + j + half] = s;
            }
        }
        return new float[][] {cos, sin};
    }
}
