package dev.locus.analysis;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Small descriptive statistics and the Holm correction, in float64. */
public final class Statistics {
    private Statistics() {}

    public static double mean(double[] x) {
        if (x.length == 0) {
            throw new IllegalArgumentException("mean of no values");
        }
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** Sample standard deviation (n - 1 in the denominator). */
    public static double standardDeviation(double[] x) {
        if (x.length < 2) {
            return Double.NaN;
        }
        double m = mean(x);
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (x.length - 1));
    }

    public static double standardError(double[] x) {
        return standardDeviation(x) / Math.sqrt(x.length);
    }

    /** Squared Pearson correlation: the R^2 of a univariate least-squares fit; 0 when either side is constant. */
    public static double rSquared(double[] x, double[] y) {
        double mx = mean(x);
        double my = mean(y);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? 0 : sxy * sxy / (sxx * syy);
    }

    /** Columns standardized to mean 0 and population standard deviation 1; a constant column becomes 0. */
    public static double[][] standardize(double[][] x) {
        int n = x.length;
        int p = x[0].length;
        double[][] out = new double[n][p];
        for (int j = 0; j < p; j++) {
            double m = 0;
            for (double[] row : x) {
                m += row[j] / n;
            }
            double var = 0;
            for (double[] row : x) {
                var += (row[j] - m) * (row[j] - m) / n;
            }
            double sd = Math.sqrt(var);
            for (int i = 0; i < n; i++) {
                out[i][j] = sd == 0 ? 0 : (x[i][j] - m) / sd;
            }
        }
        return out;
    }

    /**
     * Holm's step-down adjusted p-values (Holm 1979), in the input's order:
     * adj_(i) = max over j <= i of min(1, (m - j + 1) p_(j)), p_(1) the smallest.
     */
    public static double[] holm(double[] p) {
        int m = p.length;
        Integer[] order = IntStream.range(0, m).boxed().sorted(Comparator.comparingDouble(i -> p[i])).toArray(Integer[]::new);
        double[] adjusted = new double[m];
        double running = 0;
        for (int rank = 0; rank < m; rank++) {
            int i = order[rank];
            running = Math.max(running, Math.min(1, (m - rank) * p[i]));
            adjusted[i] = running;
        }
        return adjusted;
    }

    /** Values sorted ascending, the input untouched. */
    static double[] sorted(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s;
    }
}
