package dev.locus.analysis;

import org.hipparchus.linear.BlockRealMatrix;
import org.hipparchus.stat.correlation.SpearmansCorrelation;

/**
 * Spearman's rho (average ranks for ties) and its two-sided p-value from Student's t with n - 2
 * degrees of freedom, as SciPy's {@code spearmanr}; computed by hipparchus.
 */
public final class Spearman {
    public record Result(double rho, double p) {}

    private Spearman() {}

    public static Result of(double[] x, double[] y) {
        if (x.length != y.length || x.length < 3) {
            throw new IllegalArgumentException("Spearman needs two series of the same length >= 3, found " + x.length + " and " + y.length);
        }
        double[][] columns = new double[x.length][2];
        for (int i = 0; i < x.length; i++) {
            columns[i][0] = x[i];
            columns[i][1] = y[i];
        }
        SpearmansCorrelation s = new SpearmansCorrelation(new BlockRealMatrix(columns));
        double rho = s.getCorrelationMatrix().getEntry(0, 1);
        double p = s.getRankCorrelation().getCorrelationPValues().getEntry(0, 1);
        return new Result(rho, p);
    }
}
