package dev.locus.claims;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.analysis.Bootstrap;
import dev.locus.analysis.Lasso;
import dev.locus.analysis.LassoCv;
import dev.locus.analysis.Statistics;
import dev.locus.measure.Measurement;
import java.util.ArrayList;
import java.util.List;

/**
 * Claim 4, sparse layer attribution. Features x_{p,L}: the mean over completion positions of the L2
 * distance between tuned and base {@code block_out.L} (each block's own contribution: residual
 * distances carry forward and make every later layer look predictive), standardized per layer;
 * target G(p). LASSO with alpha by K-fold CV and the 1-SE rule. The claim: between 1 and the
 * maximum layers selected, all in the middle band [low N, high N), and the top layer (largest
 * |coefficient|) selected again in at least a set share of bootstrap refits at the same alpha.
 */
public final class SparseAttributionClaim {
    public static final String NAME = "sparse_attribution";
    public static final String SENTENCE = "Sparse layer attribution: LASSO from per-layer activation distances to margin gains "
            + "keeps only a few, mostly mid-depth, layers";

    /**
     * @param coefficients per layer at alpha_1se, on standardized distances
     * @param selectionFrequency per layer, the share of bootstrap refits that select it
     * @param univariateR2 per layer, R^2 of G on that layer's distance alone
     * @param band the middle band of layers [first, last]
     * @param unconvergedFits LASSO fits (of the CV path, the two chosen alphas and the bootstrap refits)
     *     whose duality gap stayed above the criterion; their last iterate is used, as scikit-learn does
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Result(String claim, Outcome outcome, int peakLayer, double alphaMin, double alphaOneSe, double[] coefficients,
            List<Integer> selectedLayers, Integer topLayer, double[] selectionFrequency, double[] univariateR2, int[] band,
            int unconvergedFits) implements ClaimResult {}

    private SparseAttributionClaim() {}

    public static Result evaluate(Measurement m, Expectations e, Gain gain) {
        Expectations.SparseAttribution s = e.sparseAttribution();
        double[][] x = m.distances();
        double[] y = m.gains();
        int layers = m.layers();
        LassoCv.Result cv = LassoCv.fit(Statistics.standardize(x), y, s.nAlphas(), s.alphaRatio(), s.folds());
        Lasso.Fit fit = cv.atOneSe();
        List<Integer> selected = new ArrayList<>();
        Integer top = null;
        for (int l = 0; l < layers; l++) {
            double c = fit.coefficients()[l];
            if (c != 0) {
                selected.add(l);
                if (top == null || Math.abs(c) > Math.abs(fit.coefficients()[top])) {
                    top = l;
                }
            }
        }
        int unconverged = cv.unconvergedFits();
        double[] frequency = new double[layers];
        int[][] refits = Bootstrap.resamples(m.pairs(), s.bootstrapRefits(), e.run().seed());
        for (int[] rows : refits) {
            double[][] bx = new double[rows.length][];
            double[] by = new double[rows.length];
            for (int i = 0; i < rows.length; i++) {
                bx[i] = x[rows[i]];
                by[i] = y[rows[i]];
            }
            Lasso.Fit refit = Lasso.fit(Statistics.standardize(bx), by, fit.alpha());
            unconverged += refit.converged() ? 0 : 1;
            double[] coefficients = refit.coefficients();
            for (int l = 0; l < layers; l++) {
                frequency[l] += coefficients[l] != 0 ? 1.0 / refits.length : 0;
            }
        }
        double[] r2 = new double[layers];
        for (int l = 0; l < layers; l++) {
            double[] column = new double[m.pairs()];
            for (int i = 0; i < column.length; i++) {
                column[i] = x[i][l];
            }
            r2[l] = Statistics.rSquared(column, y);
        }
        int first = (int) Math.ceil(s.band().get(0) * layers);
        int last = (int) Math.ceil(s.band().get(1) * layers) - 1;
        long outside = selected.stream().filter(l -> l < first || l > last).count();
        List<Check> checks = new ArrayList<>();
        checks.add(Check.atLeast("layers selected by LASSO at alpha_1se", selected.size(), 1));
        checks.add(Check.atMost("layers selected by LASSO at alpha_1se " + selected, selected.size(), s.maxLayers()));
        checks.add(Check.atMost("selected layers outside the middle band [" + first + ", " + last + "]", outside, 0));
        checks.add(Check.atLeast("share of bootstrap refits selecting the top layer " + (top == null ? "(none)" : top),
                top == null ? 0 : frequency[top], s.minTopFrequency()));
        return new Result(NAME, Outcome.of(gain, checks, s.expect()), m.peakLayer(), cv.atMin().alpha(), fit.alpha(), fit.coefficients(),
                selected, top, frequency, r2, new int[] {first, last}, unconverged);
    }
}
