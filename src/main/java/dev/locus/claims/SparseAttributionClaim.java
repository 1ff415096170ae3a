package dev.locus.claims;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.analysis.Bootstrap;
import dev.locus.analysis.Lasso;
import dev.locus.analysis.LassoCv;
import dev.locus.analysis.Statistics;
import dev.locus.measure.Measurement;
import dev.locus.measure.Run;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.CategoryChart;

/**
 * Claim 4, sparse layer attribution. Features x_{p,L}: the mean over completion positions of the L2
 * distance between tuned and base {@code block_out.L} (each block's own contribution: residual
 * distances carry forward and make every later layer look predictive), standardized per layer;
 * target G(p). LASSO with alpha by K-fold CV and the 1-SE rule. The claim: between 1 and the
 * maximum layers selected, all in the middle band [low N, high N), and the top layer (largest
 * |coefficient|) selected again in at least a set share of bootstrap refits at the same alpha.
 */
public final class SparseAttributionClaim implements Claim<SparseAttributionClaim.Section, SparseAttributionClaim.Result> {
    public static final SparseAttributionClaim UNIT = new SparseAttributionClaim();
    public static final String NAME = "sparse_attribution";
    public static final String SENTENCE = "Sparse layer attribution: LASSO from per-layer activation distances to margin gains "
            + "keeps only a few, mostly mid-depth, layers";

    /**
     * Its expectations section, {@code sparse_attribution:}; {@code nAlphas}: how many alphas the
     * LASSO path has, as scikit-learn's {@code LassoCV(n_alphas=...)} names it.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Section(Verdict expect, Integer folds, Integer nAlphas, Double alphaRatio, Integer maxLayers, List<Double> band,
            Integer bootstrapRefits, Double minTopFrequency) implements Claim.Section {}

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

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "4. Sparse layer attribution";
    }

    @Override
    public String sentence() {
        return SENTENCE;
    }

    @Override
    public Class<Section> sectionType() {
        return Section.class;
    }

    @Override
    public Class<Result> resultType() {
        return Result.class;
    }

    @Override
    public void validate(Section s, Fields fields) {
        fields.present("expect", s.expect());
        fields.within("folds", s.folds(), 2, 20);
        fields.within("n_alphas", s.nAlphas(), 2, 1000);
        fields.within("alpha_ratio", s.alphaRatio(), 1e-8, 0.5);
        fields.within("max_layers", s.maxLayers(), 1, 1000);
        List<Double> band = fields.present("band", s.band());
        if (band.size() != 2 || !(band.get(0) >= 0 && band.get(0) < band.get(1) && band.get(1) <= 1)) {
            fields.fail("band", "expected [low, high] fractions of the depth with 0 <= low < high <= 1, found " + band);
        }
        fields.within("bootstrap_refits", s.bootstrapRefits(), 10, 10_000);
        fields.within("min_top_frequency", s.minTopFrequency(), 0, 1);
    }

    @Override
    public Result evaluate(Measurement m, Run run, Section s, Gain gain) {
        double[][] x = m.layerSweeps().distances();
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
        int[][] refits = Bootstrap.resamples(m.pairs(), s.bootstrapRefits(), run.seed());
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

    /** LASSO coefficients at alpha_1se, bootstrap selection frequency and univariate R^2 per layer. */
    @Override
    public CategoryChart chart(Result r) {
        CategoryChart chart = Plot.bars("LASSO attribution (alpha_1se = " + String.format(Locale.ROOT, "%.3g", r.alphaOneSe()) + ")",
                "layer", "coefficient / frequency");
        double[] x = new double[r.coefficients().length];
        for (int l = 0; l < x.length; l++) {
            x[l] = l;
        }
        Plot.bars(chart, "coefficient (standardized)", x, r.coefficients());
        Plot.bars(chart, "bootstrap selection frequency", x, r.selectionFrequency());
        Plot.bars(chart, "univariate R^2", x, r.univariateR2());
        return chart;
    }

    /** None: the drift table names the selected layers. */
    @Override
    public CategoryChart chartOver(Result now, Result baseline) {
        return null;
    }

    @Override
    public String howToRead(Result r, Run run, Section s, Measurement m) {
        return "LASSO of each pair's gain on each layer's activation distance (standardized), alpha chosen by " + s.folds()
                + "-fold cross-validation over " + s.nAlphas() + " alphas and the 1-SE rule. Bars: coefficients at that alpha, how "
                + "often " + s.bootstrapRefits() + " bootstrap refits select each layer, and each layer's R^2 alone. Downstream layers "
                + "inherit upstream changes, so several layers can predict well alone while LASSO keeps one.";
    }

    /** The baseline's top LASSO layer no longer selected. */
    @Override
    public List<Drift> drift(Result baseline, Result now, Expectations.Regression rules) {
        Integer top = baseline.topLayer();
        List<Integer> selected = now.selectedLayers();
        return List.of(new Drift("baseline's top LASSO layer" + (top == null ? " (none)" : " " + top) + " selected",
                top == null ? "none selected" : "layer " + top + " of " + baseline.selectedLayers(), "selected " + selected,
                "the baseline's top layer stays selected", top != null && !selected.contains(top)));
    }

    @Override
    public String csv(Result r) {
        StringBuilder csv = new StringBuilder("layer,coefficient,selection_frequency,univariate_r2\n");
        for (int l = 0; l < r.coefficients().length; l++) {
            csv.append(l).append(',').append(r.coefficients()[l]).append(',').append(r.selectionFrequency()[l]).append(',')
                    .append(r.univariateR2()[l]).append('\n');
        }
        return csv.toString();
    }
}
