package dev.locus.analysis;

/**
 * LASSO with alpha chosen by K-fold cross-validation, as scikit-learn's {@code LassoCV} with
 * unshuffled {@code KFold}: a grid of alphas alpha_max * logspace(0, log10(eps), count) on the full
 * data, each fold's path fitted with warm starts on its training rows, the mean squared error on
 * its held-out rows. Two choices: alpha_min (least mean MSE) and alpha_1se, the largest alpha whose
 * mean MSE is within one standard error of alpha_min's (glmnet's rule; the sparser model the data
 * cannot tell apart from the best).
 */
public final class LassoCv {
    /**
     * @param alphas the grid, decreasing
     * @param msePath [alpha][fold] held-out mean squared error
     * @param meanMse per alpha, the mean over folds
     * @param seMse per alpha, std over folds (ddof 1) / sqrt(folds)
     */
    public record Result(double[] alphas, double[][] msePath, double[] meanMse, double[] seMse, Lasso.Fit atMin,
            Lasso.Fit atOneSe, int unconvergedFits) {}

    private LassoCv() {}

    public static double[] grid(double[][] x, double[] y, int count, double eps) {
        double max = Lasso.alphaMax(x, y);
        double[] alphas = new double[count];
        for (int i = 0; i < count; i++) {
            double exponent = count == 1 ? 0 : Math.log10(eps) * i / (count - 1);
            alphas[i] = max * Math.pow(10, exponent);
        }
        return alphas;
    }

    public static Result fit(double[][] x, double[] y, int count, double eps, int folds) {
        int n = x.length;
        if (folds < 2 || folds > n) {
            throw new IllegalArgumentException("cross-validation needs 2 <= folds <= rows, found " + folds + " folds for " + n + " rows");
        }
        double[] alphas = grid(x, y, count, eps);
        double[][] mse = new double[count][folds];
        int unconverged = 0;
        int start = 0;
        for (int f = 0; f < folds; f++) {
            int size = n / folds + (f < n % folds ? 1 : 0);
            int end = start + size;
            double[][] trainX = new double[n - size][];
            double[] trainY = new double[n - size];
            int t = 0;
            for (int i = 0; i < n; i++) {
                if (i < start || i >= end) {
                    trainX[t] = x[i];
                    trainY[t++] = y[i];
                }
            }
            Lasso.Fit[] path = Lasso.path(trainX, trainY, alphas);
            for (Lasso.Fit fit : path) {
                unconverged += fit.converged() ? 0 : 1;
            }
            for (int a = 0; a < count; a++) {
                double sum = 0;
                for (int i = start; i < end; i++) {
                    double e = predict(path[a], x[i]) - y[i];
                    sum += e * e;
                }
                mse[a][f] = sum / size;
            }
            start = end;
        }
        double[] mean = new double[count];
        double[] se = new double[count];
        int best = 0;
        for (int a = 0; a < count; a++) {
            mean[a] = Statistics.mean(mse[a]);
            se[a] = Statistics.standardDeviation(mse[a]) / Math.sqrt(folds);
            if (mean[a] < mean[best]) {
                best = a;
            }
        }
        int oneSe = best;
        for (int a = 0; a < best; a++) {
            if (mean[a] <= mean[best] + se[best]) {
                oneSe = a;
                break;
            }
        }
        Lasso.Fit atMin = Lasso.fit(x, y, alphas[best]);
        Lasso.Fit atOneSe = Lasso.fit(x, y, alphas[oneSe]);
        unconverged += (atMin.converged() ? 0 : 1) + (atOneSe.converged() ? 0 : 1);
        return new Result(alphas, mse, mean, se, atMin, atOneSe, unconverged);
    }

    static double predict(Lasso.Fit fit, double[] row) {
        double v = fit.intercept();
        for (int j = 0; j < row.length; j++) {
            v += fit.coefficients()[j] * row[j];
        }
        return v;
    }
}
