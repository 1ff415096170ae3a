package dev.locus.analysis;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Thin SVD of a tall matrix (rows of stacked activation differences) by EJML: singular values in
 * descending order and the top right singular vectors, the directions a rank-k patch keeps.
 */
public final class Svd {
    private final double[] singularValues;
    /** Right singular vectors as rows, in the order of the singular values. */
    private final double[][] rightVectors;

    private Svd(double[] singularValues, double[][] rightVectors) {
        this.singularValues = singularValues;
        this.rightVectors = rightVectors;
    }

    public static Svd of(double[][] rows) {
        int m = rows.length;
        int n = rows[0].length;
        DMatrixRMaj a = new DMatrixRMaj(rows);
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(m, n, false, true, true);
        if (!svd.decompose(a)) {
            throw new IllegalStateException("SVD did not converge on a " + m + " x " + n + " matrix");
        }
        DMatrixRMaj w = svd.getW(null);
        DMatrixRMaj vt = svd.getV(null, true);
        SingularOps_DDRM.descendingOrder(null, false, w, vt, true);
        int k = Math.min(m, n);
        double[] values = new double[k];
        double[][] vectors = new double[k][n];
        for (int i = 0; i < k; i++) {
            values[i] = w.get(i, i);
            for (int c = 0; c < n; c++) {
                vectors[i][c] = vt.get(i, c);
            }
        }
        return new Svd(values, vectors);
    }

    /**
     * k orthonormal rows of length n spanning a uniformly random subspace (the Q of a Gaussian
     * matrix's QR), the control a rank-k patch is compared against. The same seed gives the same frame.
     */
    public static double[][] randomFrame(int k, int n, long seed) {
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("a frame of " + k + " orthonormal rows needs 1 <= k <= " + n);
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        DMatrixRMaj g = new DMatrixRMaj(n, k);
        for (int i = 0; i < g.data.length; i++) {
            g.data[i] = random.nextGaussian();
        }
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(n, k);
        if (!qr.decompose(g)) {
            throw new IllegalStateException("QR of a random " + n + " x " + k + " matrix failed");
        }
        DMatrixRMaj q = qr.getQ(null, true);
        double[][] frame = new double[k][n];
        for (int i = 0; i < k; i++) {
            for (int c = 0; c < n; c++) {
                frame[i][c] = q.get(c, i);
            }
        }
        return frame;
    }

    public double[] singularValues() {
        return singularValues.clone();
    }

    /** The top k right singular vectors, orthonormal rows. */
    public double[][] top(int k) {
        if (k < 1 || k > rightVectors.length) {
            throw new IllegalArgumentException("rank " + k + " outside 1.." + rightVectors.length);
        }
        double[][] out = new double[k][];
        for (int i = 0; i < k; i++) {
            out[i] = rightVectors[i].clone();
        }
        return out;
    }

    /** Cumulative share of the squared singular values: entry k-1 is the energy a rank-k subspace keeps. */
    public double[] energyFraction() {
        double total = 0;
        for (double s : singularValues) {
            total += s * s;
        }
        double[] out = new double[singularValues.length];
        double running = 0;
        for (int i = 0; i < out.length; i++) {
            running += singularValues[i] * singularValues[i];
            out[i] = total == 0 ? 0 : running / total;
        }
        return out;
    }

    /** V_k^T V_k, the orthogonal projector onto the top-k right singular vectors (free of their signs). */
    public double[][] projector(int k) {
        double[][] v = top(k);
        int n = v[0].length;
        double[][] p = new double[n][n];
        for (double[] row : v) {
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    p[a][b] += row[a] * row[b];
                }
            }
        }
        return p;
    }
}
