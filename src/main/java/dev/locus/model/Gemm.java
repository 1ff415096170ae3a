package dev.locus.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.locus.LocusException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.openblas.global.openblas_full;

/**
 * {@code x W^T} for a weight stored {@code [out][in]}, the forward's projections, MLP and head.
 *
 * <p>One route per CPU, chosen once at start from the CPU's vendor and named in every provenance.
 * On an Intel CPU, libtorch's own product, which is oneMKL, Intel's library: measured faster there
 * than OpenBLAS, and it leaves libtorch's other ops on every core. On any other CPU, OpenBLAS's
 * {@code sgemm} (JavaCPP's DYNAMIC_ARCH build, which picks its kernels for the CPU) on the arrays'
 * own libtorch memory: no copies, the result written into an uninitialised libtorch tensor; oneMKL
 * takes slow paths on AMD CPUs (README, "Matrix products"). Older OpenBLAS AVX-512 kernels computed
 * wrong results on some CPUs, so the kernel is checked against a float64 reference when first used
 * and libtorch is used instead when the check fails. {@code -Dlocus.matmul=openblas|libtorch}
 * chooses outright; other devices always use libtorch.
 */
public final class Gemm {
    /** Which library computes the products. */
    public enum Route { OPENBLAS, LIBTORCH }

    /** The route for this process, with why: decided once, on first use. */
    public record Choice(Route route, String description) {}

    public static final String PROPERTY = "locus.matmul";

    private Gemm() {}

    private static volatile Choice chosen;

    /** The route, chosen on first use from {@code -Dlocus.matmul} (a bad value is refused by name, every time it is asked). */
    public static Choice choice() {
        Choice c = chosen;
        if (c == null) {
            synchronized (Gemm.class) {
                if (chosen == null) {
                    Choice made = choose(System.getProperty(PROPERTY, "auto"), cpuVendor());
                    if (made.route() == Route.OPENBLAS) {
                        // OpenBLAS's workers own the cores now: libtorch's remaining ops (norms, softmax,
                        // attention) run on the calling thread, so its OpenMP workers do not spin against
                        // OpenBLAS's. Measured with the bench command (256 tokens, Zen 4): forward 5.1-5.6 s this
                        // way, 6.2-7.0 s with both pools at 2 threads, 5.5-6.7 s on libtorch's matmul alone.
                        Engine.getEngine("PyTorch"); // loads libtorch, whose thread count is set next
                        JniUtils.setNumThreads(1);
                    }
                    chosen = made;
                }
                c = chosen;
            }
        }
        return c;
    }

    /**
     * Gives the products {@code threads} threads (an executor's cores per task), keeping the route's
     * rule: under OpenBLAS libtorch's own ops stay on the calling thread. Called on the thread that
     * runs the work: libtorch's OpenMP thread count is per thread, so a thread other than the one
     * that chose the route (a Spark task's) starts with one OpenMP thread per core, and its norms
     * and softmax would spin against OpenBLAS's threads (a 1B bench-reproduce on local[2] before
     * this: layer sweeps 109 s against the single JVM's 87 s).
     */
    public static void useThreads(int threads) {
        if (choice().route() == Route.OPENBLAS) {
            openblas_full.openblas_set_num_threads(threads);
            JniUtils.setNumThreads(1);
        } else {
            JniUtils.setNumThreads(threads);
        }
    }

    /** {@code x W^T}: {@code x} is {@code [..][in]}, {@code w} is {@code [out][in]}; float32. */
    public static NDArray linear(NDArray x, NDArray w) {
        return linear(x, w, choice().route());
    }

    /** {@code x W^T} through the given route (tests hold both to the same bound; the bench times both). */
    public static NDArray linear(NDArray x, NDArray w, Route route) {
        if (route != Route.OPENBLAS || !x.getDevice().equals(Device.cpu())
                || x.getDataType() != DataType.FLOAT32 || w.getDataType() != DataType.FLOAT32) {
            return x.matMul(w.transpose());
        }
        Shape xs = x.getShape();
        int k = Math.toIntExact(xs.get(xs.dimension() - 1));
        int n = Math.toIntExact(w.getShape().get(0));
        if (w.getShape().get(1) != k) {
            throw new IllegalArgumentException("cannot multiply " + xs + " by the transpose of " + w.getShape());
        }
        int m = Math.toIntExact(xs.size() / k);
        long[] outDims = xs.getShape().clone();
        outDims[outDims.length - 1] = n;
        NDArray out = x.getManager().create(new Shape(outDims), DataType.FLOAT32);
        if (m == 0 || n == 0) {
            return out;
        }
        FloatBuffer a = floats(x, (long) m * k);
        FloatBuffer b = floats(w, (long) n * k);
        FloatBuffer c = floats(out, (long) m * n);
        openblas_full.cblas_sgemm(openblas_full.CblasRowMajor, openblas_full.CblasNoTrans, openblas_full.CblasTrans,
                m, n, k, 1f, a, k, b, k, 0f, c, n);
        return out;
    }

    /**
     * The array's own memory (DJL makes a contiguous copy first when the array is a strided view);
     * refuses anything else, rather than multiply the wrong bytes.
     */
    private static FloatBuffer floats(NDArray array, long elements) {
        ByteBuffer bytes = array.toByteBuffer(true);
        if (!bytes.isDirect() || bytes.capacity() != elements * Float.BYTES) {
            throw new IllegalStateException("libtorch did not expose " + elements + " floats of " + array.getShape()
                    + " (capacity " + bytes.capacity() + ", direct " + bytes.isDirect() + ")");
        }
        return bytes.order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** The CPU's vendor as Linux names it ({@code GenuineIntel}, {@code AuthenticAMD}), or "unknown". */
    static String cpuVendor() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("vendor_id")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
        return "unknown";
    }

    /** The route for {@code -Dlocus.matmul} on a CPU of {@code vendor}; choosing has no side effect. */
    static Choice choose(String property, String vendor) {
        String asked = property.toLowerCase(Locale.ROOT);
        if (!asked.equals("auto") && !asked.equals("openblas") && !asked.equals("libtorch")) {
            throw new LocusException("-D" + PROPERTY, PROPERTY, "expected auto, openblas or libtorch, found \"" + property + "\"", null);
        }
        if (asked.equals("libtorch")) {
            return new Choice(Route.LIBTORCH, "libtorch (-D" + PROPERTY + "=libtorch)");
        }
        if (asked.equals("auto") && vendor.equals("GenuineIntel")) {
            return new Choice(Route.LIBTORCH, "libtorch's oneMKL (chosen for " + vendor + "), " + torchThreads() + " threads");
        }
        String kernel;
        try {
            kernel = "OpenBLAS " + openblas_full.openblas_get_corename().getString() + " kernel, "
                    + openblas_full.openblas_get_num_threads() + " threads";
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return new Choice(Route.LIBTORCH, "libtorch (OpenBLAS did not load: " + e.getMessage() + ")");
        }
        String failure = selfCheck();
        if (failure != null) {
            return new Choice(Route.LIBTORCH, "libtorch (" + kernel + " failed its check: " + failure + ")");
        }
        return new Choice(Route.OPENBLAS, kernel + " (checked against float64" + (asked.equals("auto") ? ", chosen for " + vendor
                : ", -D" + PROPERTY + "=openblas") + "), libtorch's own ops on 1 thread");
    }

    private static int torchThreads() {
        Engine.getEngine("PyTorch");
        return JniUtils.getNumThreads();
    }

    /** Shapes that reach the kernels' edge cases: tails in every dimension, one row, long sums. */
    private static final int[][] CHECK_SHAPES = {{1, 1, 1}, {1, 64, 2048}, {7, 33, 129}, {37, 130, 515}, {96, 257, 1024}};

    /**
     * sgemm against a float64 reference on random shapes; the error bound is the deterministic one
     * for a k-term float32 dot product, {@code gamma_k * sum |a||b|} with {@code gamma_k = k u / (1 - k u)},
     * which any correct summation order meets. A wrong kernel misses it by orders of magnitude.
     *
     * @return null when every entry is within its bound, else the first miss
     */
    static String selfCheck() {
        Random random = new Random(20261130);
        for (int[] shape : CHECK_SHAPES) {
            int m = shape[0];
            int n = shape[1];
            int k = shape[2];
            float[] a = gaussian(random, m * k);
            float[] b = gaussian(random, n * k);
            float[] c = new float[m * n];
            openblas_full.cblas_sgemm(openblas_full.CblasRowMajor, openblas_full.CblasNoTrans, openblas_full.CblasTrans,
                    m, n, k, 1f, a, k, b, k, 0f, c, n);
            String miss = firstMiss(a, b, c, m, n, k);
            if (miss != null) {
                return miss;
            }
        }
        return null;
    }

    /** The first entry of {@code c = a b^T} outside the float32 dot-product bound, or null. */
    static String firstMiss(float[] a, float[] b, float[] c, int m, int n, int k) {
        double u = Math.ulp(1f) / 2;
        double gamma = k * u / (1 - k * u);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = 0;
                double magnitude = 0;
                for (int p = 0; p < k; p++) {
                    double term = (double) a[i * k + p] * b[j * k + p];
                    exact += term;
                    magnitude += Math.abs(term);
                }
                double error = Math.abs(c[i * n + j] - exact);
                if (!(error <= gamma * magnitude)) {
                    return String.format(Locale.ROOT, "[%dx%d]x[%dx%d]^T entry (%d,%d): %.9g vs %.9g, error %.3g above its bound %.3g",
                            m, k, n, k, i, j, c[i * n + j], exact, error, gamma * magnitude);
                }
            }
        }
        return null;
    }

    private static float[] gaussian(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
