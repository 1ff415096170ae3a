package dev.locus.analysis;

/**
 * LASSO by cyclic coordinate descent, as scikit-learn's {@code Lasso(fit_intercept=True)}: minimises
 * (1/(2n)) ||y - Xw - b||^2 + alpha ||w||_1, the intercept b unpenalised (X and y are centred on the
 * rows fitted, and b restores the means). Written here because no kept Java library has coordinate
 * descent with warm starts along a path that matches scikit-learn (Tribuo has no path, Smile is GPL
 * and interior-point); {@code golden/stats/lasso.json} and {@code lasso_cv.json} check it.
 */
public final class Lasso {
    /** Coefficients and intercept of one fit. */
    /** {@code converged} false: the duality gap was still above the criterion after {@link #MAX_SWEEPS} sweeps (the last iterate, as scikit-learn returns it with a warning). */
    public record Fit(double alpha, double[] coefficients, double intercept, boolean converged) {
        public int nonZero() {
            int k = 0;
            for (double c : coefficients) {
                k += c != 0 ? 1 : 0;
            }
            return k;
        }
    }

    /**
     * Stop when the duality gap is below this share of ||y||^2 (scikit-learn's criterion and the
     * golden fits' tol), checked after every sweep: a step criterion alone never ends at alpha_max,
     * where a coefficient flips between 0 and a rounding error. Much tighter is not reachable: the
     * gap's own rounding error is about n * 1e-16 of ||y||^2.
     */
    static final double GAP = 1e-12;
    static final int MAX_SWEEPS = 20_000;
    private static final double ROUNDING = 1e-12;

    private Lasso() {}

    /** The smallest alpha at which every coefficient is zero: max_j |x_j . (y - mean y)| / n, X centred. */
    public static double alphaMax(double[][] x, double[] y) {
        Centred c = Centred.of(x, y);
        double max = 0;
        for (int j = 0; j < c.p; j++) {
            double dot = 0;
            for (int i = 0; i < c.n; i++) {
                dot += c.x[i][j] * c.y[i];
            }
            max = Math.max(max, Math.abs(dot) / c.n);
        }
        return max;
    }

    public static Fit fit(double[][] x, double[] y, double alpha) {
        return path(x, y, new double[] {alpha})[0];
    }

    /** Fits along {@code alphas} (in the order given, normally decreasing), each fit starting from the previous one. */
    public static Fit[] path(double[][] x, double[] y, double[] alphas) {
        Centred c = Centred.of(x, y);
        double[] squares = new double[c.p];
        for (int j = 0; j < c.p; j++) {
            for (int i = 0; i < c.n; i++) {
                squares[j] += c.x[i][j] * c.x[i][j];
            }
        }
        double[] w = new double[c.p];
        double[] residual = c.y.clone();
        Fit[] fits = new Fit[alphas.length];
        for (int a = 0; a < alphas.length; a++) {
            if (!(alphas[a] >= 0)) {
                throw new IllegalArgumentException("alpha must be >= 0, found " + alphas[a]);
            }
            boolean converged = descend(c, squares, w, residual, alphas[a] * c.n);
            double intercept = c.yMean;
            for (int j = 0; j < c.p; j++) {
                intercept -= c.xMean[j] * w[j];
            }
            fits[a] = new Fit(alphas[a], w.clone(), intercept, converged);
        }
        return fits;
    }

    /** Cyclic sweeps until the duality gap criterion holds; false if it never did. */
    private static boolean descend(Centred c, double[] squares, double[] w, double[] residual, double penalty) {
        double yy = 0;
        for (double v : c.y) {
            yy += v * v;
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double largestStep = 0;
            for (int j = 0; j < c.p; j++) {
                if (squares[j] == 0) {
                    continue;
                }
                double old = w[j];
                double rho = 0;
                for (int i = 0; i < c.n; i++) {
                    rho += c.x[i][j] * residual[i];
                }
                rho += old * squares[j];
                double excess = Math.abs(rho) - penalty;
                // An excess within rounding of the penalty is none: at alpha_max it would otherwise
                // switch a coefficient on by an ulp of (|x_j . y| / n) * n.
                double updated = excess > ROUNDING * penalty ? Math.signum(rho) * excess / squares[j] : 0;
                if (updated != old) {
                    double step = updated - old;
                    for (int i = 0; i < c.n; i++) {
                        residual[i] -= step * c.x[i][j];
                    }
                    w[j] = updated;
                    largestStep = Math.max(largestStep, Math.abs(step));
                }
            }
            if (largestStep == 0 || dualityGap(c, w, residual, penalty) <= GAP * yy) {
                return true;
            }
        }
        return false;
    }

    /** The primal objective minus the best dual objective at the scaled residual (both times n). */
    private static double dualityGap(Centred c, double[] w, double[] residual, double penalty) {
        double dualNorm = 0;
        for (int j = 0; j < c.p; j++) {
            double dot = 0;
            for (int i = 0; i < c.n; i++) {
                dot += c.x[i][j] * residual[i];
            }
            dualNorm = Math.max(dualNorm, Math.abs(dot));
        }
        double rr = 0;
        double ry = 0;
        for (int i = 0; i < c.n; i++) {
            rr += residual[i] * residual[i];
            ry += residual[i] * c.y[i];
        }
        double scale = dualNorm > penalty ? penalty / dualNorm : 1;
        double l1 = 0;
        for (double v : w) {
            l1 += Math.abs(v);
        }
        return 0.5 * rr * (1 + scale * scale) + penalty * l1 - scale * ry;
    }

    /** X and y centred on their own rows, with the means kept for the intercept. */
    private record Centred(int n, int p, double[][] x, double[] y, double[] xMean, double yMean) {
        static Centred of(double[][] x, double[] y) {
            int n = x.length;
            if (n == 0 || y.length != n) {
                throw new IllegalArgumentException("LASSO needs as many targets as rows, found " + y.length + " and " + n);
            }
            int p = x[0].length;
            double[] xMean = new double[p];
            double yMean = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < p; j++) {
                    xMean[j] += x[i][j] / n;
                }
                yMean += y[i] / n;
            }
            double[][] xc = new double[n][p];
            double[] yc = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < p; j++) {
                    xc[i][j] = x[i][j] - xMean[j];
                }
                yc[i] = y[i] - yMean;
            }
            return new Centred(n, p, xc, yc, xMean, yMean);
        }
    }
}
