package dev.locus.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** The decoder's elementwise and matrix primitives, each as its reference computes it in float32. */
final class Primitives {
    private Primitives() {}

    /** {@code w * x / sqrt(mean(x^2) + eps)} over the hidden dimension. */
    static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        NDArray inverseRms = x.square().mean(new int[] {-1}, true).addi((float) eps).sqrt().powi(-1);
        return x.mul(inverseRms).muli(weight);
    }

    /** {@code x W^T} for a weight stored {@code [out][in]}. */
    static NDArray linear(NDArray x, NDArray weight) {
        return Gemm.linear(x, weight);
    }

    /** {@code x W^T (+ b)}: Qwen2's q, k and v carry biases. */
    static NDArray projection(NDArray x, NDArray weight, NDArray bias) {
        NDArray y = linear(x, weight);
        return bias == null ? y : y.addi(bias);
    }

    /** {@code cap * tanh(x / cap)}, in place on a fresh {@code x}. */
    static NDArray softcap(NDArray x, double cap) {
        return x.divi((float) cap).tanh().muli((float) cap);
    }

    /** {@code x * sigmoid(x)}. */
    static NDArray silu(NDArray x) {
        return Activation.sigmoid(x).muli(x);
    }

    /** {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, PyTorch's {@code gelu(approximate="tanh")}. */
    static NDArray geluTanh(NDArray x) {
        NDArray inner = x.mul(x).muli(x).muli(0.044715f).addi(x).muli((float) Math.sqrt(2 / Math.PI));
        return inner.tanh().addi(1f).muli(x).muli(0.5f);
    }
}
