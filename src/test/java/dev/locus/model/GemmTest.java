package dev.locus.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The forward's matrix product: the route follows the CPU (oneMKL through libtorch on Intel,
 * OpenBLAS elsewhere); both routes meet the float32 dot-product error bound against a float64
 * reference on every shape tried (tails in every dimension, strided inputs), whichever this CPU
 * uses; OpenBLAS's kernel passes its own check here; and the bound itself catches a wrong result.
 */
class GemmTest {
    @Test
    void theRouteFollowsTheCpuAndOpenBlasPassesItsCheckHere() {
        Gemm.Choice choice = Gemm.choice();
        Gemm.Route expected = Gemm.cpuVendor().equals("GenuineIntel") ? Gemm.Route.LIBTORCH : Gemm.Route.OPENBLAS;
        if (System.getProperty(Gemm.PROPERTY) == null) {
            assertEquals(expected, choice.route(), choice.description());
            assertThat(choice.description()).contains("chosen for " + Gemm.cpuVendor());
        }
        assertNull(Gemm.selfCheck());
    }

    @Test
    void routesAreChosenByVendorOrByNameAndAnUnknownOneIsRefused() {
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(dev.locus.LocusException.class, () -> Gemm.choose("mkl", "GenuineIntel")))
                .hasMessageContaining("locus.matmul").hasMessageContaining("\"mkl\"");
        assertEquals(Gemm.Route.LIBTORCH, Gemm.choose("libtorch", "AuthenticAMD").route());
        assertEquals(Gemm.Route.LIBTORCH, Gemm.choose("auto", "GenuineIntel").route());
        assertEquals(Gemm.Route.OPENBLAS, Gemm.choose("auto", "AuthenticAMD").route());
        assertEquals(Gemm.Route.OPENBLAS, Gemm.choose("openblas", "GenuineIntel").route());
    }

    @Property(tries = 60)
    void linearMeetsTheFloat32BoundOnAnyShape(@ForAll Gemm.Route route, @ForAll @IntRange(min = 1, max = 70) int m,
            @ForAll @IntRange(min = 1, max = 200) int n, @ForAll @IntRange(min = 1, max = 600) int k,
            @ForAll @IntRange(min = 0, max = 3) int leadingRows, @ForAll long seed) {
        Random random = new Random(seed);
        float[] a = gaussian(random, (m + leadingRows) * k);
        float[] b = gaussian(random, n * k);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray whole = manager.create(a, new Shape(m + leadingRows, k));
            // A row slice is a view at an offset into its storage: the product must read the view's rows.
            NDArray x = leadingRows == 0 ? whole : whole.get(leadingRows + ":");
            NDArray c = Gemm.linear(x, manager.create(b, new Shape(n, k)), route);
            assertEquals(new Shape(m, n), c.getShape());
            float[] rows = java.util.Arrays.copyOfRange(a, leadingRows * k, a.length);
            assertNull(Gemm.firstMiss(rows, b, c.toFloatArray(), m, n, k));
        }
    }

    @Test
    void aTransposedViewIsMultipliedAsItsValues() {
        Random random = new Random(3);
        int m = 9;
        int k = 17;
        int n = 5;
        float[] stored = gaussian(random, k * m);
        float[] b = gaussian(random, n * k);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(stored, new Shape(k, m)).transpose();
            float[] values = x.toFloatArray();
            for (Gemm.Route route : Gemm.Route.values()) {
                float[] c = Gemm.linear(x, manager.create(b, new Shape(n, k)), route).toFloatArray();
                assertNull(Gemm.firstMiss(values, b, c, m, n, k), route.name());
            }
        }
    }

    @Test
    void theBoundCatchesAWrongEntry() {
        Random random = new Random(5);
        int m = 4;
        int n = 6;
        int k = 300;
        float[] a = gaussian(random, m * k);
        float[] b = gaussian(random, n * k);
        float[] c = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * b[j * k + p];
                }
                c[i * n + j] = (float) s;
            }
        }
        assertNull(Gemm.firstMiss(a, b, c, m, n, k));
        c[2 * n + 3] += 0.01f;
        assertThat(Gemm.firstMiss(a, b, c, m, n, k)).contains("entry (2,3)");
    }

    private static float[] gaussian(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
