package dev.locus.analysis;

import static dev.locus.analysis.GoldenStats.cases;
import static dev.locus.analysis.GoldenStats.matrix;
import static dev.locus.analysis.GoldenStats.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locus.Tolerance;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class LassoTest {
    @Test
    void matchesScikitLearnOnEveryGoldenFit() {
        for (JsonNode c : cases("lasso.json")) {
            double[][] x = matrix(c.get("X_standardized"));
            double[] y = vector(c.get("y"));
            String name = c.get("name").asText();
            assertEquals(c.get("alpha_max").doubleValue(), Lasso.alphaMax(x, y), Tolerance.STATISTIC * c.get("alpha_max").doubleValue(), name);
            for (JsonNode f : c.get("fits")) {
                Lasso.Fit fit = Lasso.fit(x, y, f.get("alpha").doubleValue());
                assertArrayEquals(vector(f.get("coef")), fit.coefficients(), Tolerance.LASSO, name + " alpha " + f.get("alpha"));
                assertEquals(f.get("intercept").doubleValue(), fit.intercept(), Tolerance.LASSO, name + " intercept");
                assertThat(fit.converged()).as(name).isTrue();
            }
        }
    }

    @Test
    void crossValidationMatchesLassoCvAndTheOneSeRule() {
        for (JsonNode c : cases("lasso_cv.json")) {
            String name = c.get("name").asText();
            double[][] x = matrix(c.get("X_standardized"));
            double[] y = vector(c.get("y"));
            LassoCv.Result r = LassoCv.fit(x, y, 100, 1e-3, 5);
            assertArrayEquals(vector(c.get("alphas")), r.alphas(), Tolerance.STATISTIC * r.alphas()[0], name + " grid");
            double[][] mse = matrix(c.get("mse_path"));
            for (int a = 0; a < mse.length; a++) {
                assertArrayEquals(mse[a], r.msePath()[a], Tolerance.LASSO * Math.max(1, mse[a][0]), name + " mse at alpha " + a);
            }
            assertArrayEquals(vector(c.get("se_mse")), r.seMse(), Tolerance.LASSO, name + " se");
            assertEquals(c.get("alpha_min").doubleValue(), r.atMin().alpha(), Tolerance.STATISTIC * r.atMin().alpha(), name + " alpha_min is the same grid point");
            assertEquals(c.get("alpha_1se").doubleValue(), r.atOneSe().alpha(), Tolerance.STATISTIC * r.atOneSe().alpha(), name + " alpha_1se is the same grid point");
            assertArrayEquals(vector(c.get("coef_at_alpha_min")), r.atMin().coefficients(), Tolerance.LASSO, name);
            assertArrayEquals(vector(c.get("coef_at_alpha_1se")), r.atOneSe().coefficients(), Tolerance.LASSO, name);
            assertEquals(c.get("intercept_at_alpha_1se").doubleValue(), r.atOneSe().intercept(), Tolerance.LASSO, name);
            assertEquals(0, r.unconvergedFits(), name + ": every fit of the path converged");
        }
    }

    /**
     * The optimality (KKT) conditions of the LASSO on centred data: x_j . r / n = alpha sign(w_j)
     * where w_j != 0, and |x_j . r / n| <= alpha where w_j = 0.
     */
    @Property(tries = 60)
    void fitsSatisfyTheKktConditions(@ForAll @IntRange(min = 5, max = 40) int n, @ForAll @IntRange(min = 1, max = 8) int p,
            @ForAll @DoubleRange(min = 0.01, max = 1.0) double share, @ForAll long seed) {
        double[][] x = random(n, p, seed);
        double[] y = column(random(n, 1, seed + 1));
        double alpha = share * Lasso.alphaMax(x, y);
        Lasso.Fit fit = Lasso.fit(x, y, alpha);
        double[] xMean = new double[p];
        double yMean = Statistics.mean(y);
        for (double[] row : x) {
            for (int j = 0; j < p; j++) {
                xMean[j] += row[j] / n;
            }
        }
        for (int j = 0; j < p; j++) {
            double gradient = 0;
            for (int i = 0; i < n; i++) {
                double residual = y[i] - yMean;
                for (int k = 0; k < p; k++) {
                    residual -= (x[i][k] - xMean[k]) * fit.coefficients()[k];
                }
                gradient += (x[i][j] - xMean[j]) * residual / n;
            }
            double w = fit.coefficients()[j];
            if (w != 0) {
                assertEquals(alpha * Math.signum(w), gradient, Tolerance.FLOAT64_LAW * Math.max(1, alpha), "active " + j);
            } else {
                assertThat(Math.abs(gradient)).as("inactive %d", j).isLessThanOrEqualTo(alpha * (1 + Tolerance.FLOAT64_LAW));
            }
        }
    }

    @Property(tries = 40)
    void alphaMaxGivesAllZeros(@ForAll @IntRange(min = 3, max = 30) int n, @ForAll @IntRange(min = 1, max = 8) int p, @ForAll long seed) {
        double[][] x = random(n, p, seed);
        double[] y = column(random(n, 1, seed + 1));
        assertThat(Lasso.fit(x, y, Lasso.alphaMax(x, y)).nonZero()).isZero();
        assertThat(Lasso.fit(x, y, 0.5 * Lasso.alphaMax(x, y)).nonZero()).isPositive();
    }

    static double[][] random(int n, int p, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        double[][] x = new double[n][p];
        for (double[] row : x) {
            for (int j = 0; j < p; j++) {
                row[j] = random.nextGaussian();
            }
        }
        return x;
    }

    static double[] column(double[][] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i][0];
        }
        return out;
    }
}
