package dev.locus.report;

import dev.locus.claims.AsymmetryClaim;
import dev.locus.claims.DoseResponseClaim;
import dev.locus.claims.LowRankClaim;
import dev.locus.claims.SparseAttributionClaim;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.knowm.xchart.ChartEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** One chart per claim, rendered headless by XChart. */
public final class Charts {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 420;

    private Charts() {}

    /** f_L and r_L per layer with their confidence intervals as error bars. */
    public static XYChart layerEffects(AsymmetryClaim.Result r) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Share of the gain per layer (" + r.site() + ", L* = " + r.peakLayer() + ")")
                .xAxisTitle("layer").yAxisTitle("share of mean gain").build();
        List<AsymmetryClaim.LayerEffect> layers = r.layers();
        double[] x = layers.stream().mapToDouble(AsymmetryClaim.LayerEffect::layer).toArray();
        series(chart, "f_L tuned->base", x, layers.stream().mapToDouble(AsymmetryClaim.LayerEffect::f).toArray(),
                layers.stream().mapToDouble(e -> (e.fHigh() - e.fLow()) / 2).toArray());
        series(chart, "r_L base->tuned", x, layers.stream().mapToDouble(AsymmetryClaim.LayerEffect::r).toArray(),
                layers.stream().mapToDouble(e -> (e.rHigh() - e.rLow()) / 2).toArray());
        return chart;
    }

    /** Mean margin against alpha at L*. */
    public static XYChart doseResponse(DoseResponseClaim.Result r) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Dose-response at layer " + r.peakLayer()).xAxisTitle("alpha (tuned->base interpolation)")
                .yAxisTitle("mean margin").build();
        series(chart, "M(alpha)", r.alphas(), r.meanMargins());
        return chart;
    }

    /** Recovery against k, beside random frames and the singular-value energy. */
    public static XYChart recovery(LowRankClaim.Result r) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Low-rank recovery at layer " + r.peakLayer() + " (held-out pairs)").xAxisTitle("rank k")
                .yAxisTitle("share").build();
        chart.getStyler().setXAxisLogarithmic(true);
        double[] k = r.recovery().stream().mapToDouble(LowRankClaim.RankRecovery::k).toArray();
        series(chart, "recovery(k), top-k directions", k, r.recovery().stream().mapToDouble(LowRankClaim.RankRecovery::recovery).toArray());
        series(chart, "random k-frames (mean)", k, r.recovery().stream().mapToDouble(LowRankClaim.RankRecovery::randomRecovery).toArray());
        XYSeries energy = series(chart, "singular-value energy", k,
                r.recovery().stream().mapToDouble(LowRankClaim.RankRecovery::energy).toArray());
        if (energy != null) {
            energy.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    /** LASSO coefficients at alpha_1se and bootstrap selection frequency per layer. */
    public static CategoryChart attribution(SparseAttributionClaim.Result r) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("LASSO attribution (alpha_1se = " + String.format("%.3g", r.alphaOneSe()) + ")")
                .xAxisTitle("layer").yAxisTitle("coefficient / frequency").build();
        int layers = r.coefficients().length;
        double[] x = new double[layers];
        for (int l = 0; l < layers; l++) {
            x[l] = l;
        }
        for (var bars : List.of(java.util.Map.entry("coefficient (standardized)", r.coefficients()),
                java.util.Map.entry("bootstrap selection frequency", r.selectionFrequency()),
                java.util.Map.entry("univariate R^2", r.univariateR2()))) {
            if (anyFinite(bars.getValue())) {
                chart.addSeries(bars.getKey(), x, finiteOrNaN(bars.getValue()));
            }
        }
        return chart;
    }

    /** f_L and r_L per layer of this run (solid) over the baseline's (dashed), at the site of each. */
    public static XYChart layerEffectsOver(AsymmetryClaim.Result now, AsymmetryClaim.Result baseline) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Share of the gain per layer: L* = " + now.peakLayer() + " now, " + baseline.peakLayer() + " in the baseline")
                .xAxisTitle("layer").yAxisTitle("share of mean gain").build();
        for (AsymmetryClaim.Result r : List.of(now, baseline)) {
            String who = r == now ? "" : " (baseline)";
            double[] x = r.layers().stream().mapToDouble(AsymmetryClaim.LayerEffect::layer).toArray();
            XYSeries f = series(chart, "f_L tuned->base" + who, x, r.layers().stream().mapToDouble(AsymmetryClaim.LayerEffect::f).toArray());
            XYSeries rl = series(chart, "r_L base->tuned" + who, x, r.layers().stream().mapToDouble(AsymmetryClaim.LayerEffect::r).toArray());
            if (r != now) {
                dashed(f, rl);
            }
        }
        return chart;
    }

    /** Mean margin against alpha, this run over the baseline. */
    public static XYChart doseResponseOver(DoseResponseClaim.Result now, DoseResponseClaim.Result baseline) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Dose-response at L* = " + now.peakLayer() + " (baseline: L* = " + baseline.peakLayer() + ")")
                .xAxisTitle("alpha (tuned->base interpolation)").yAxisTitle("mean margin").build();
        series(chart, "M(alpha)", now.alphas(), now.meanMargins());
        dashed(series(chart, "M(alpha) (baseline)", baseline.alphas(), baseline.meanMargins()));
        return chart;
    }

    /** Recovery and random frames against k, this run over the baseline. */
    public static XYChart recoveryOver(LowRankClaim.Result now, LowRankClaim.Result baseline) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Low-rank recovery on held-out pairs: smallest k " + now.smallestK() + " now, " + baseline.smallestK()
                        + " in the baseline")
                .xAxisTitle("rank k").yAxisTitle("share").build();
        chart.getStyler().setXAxisLogarithmic(true);
        for (LowRankClaim.Result r : List.of(now, baseline)) {
            String who = r == now ? "" : " (baseline)";
            double[] k = r.recovery().stream().mapToDouble(LowRankClaim.RankRecovery::k).toArray();
            XYSeries top = series(chart, "recovery(k)" + who, k, r.recovery().stream().mapToDouble(LowRankClaim.RankRecovery::recovery).toArray());
            XYSeries random = series(chart, "random k-frames" + who, k,
                    r.recovery().stream().mapToDouble(LowRankClaim.RankRecovery::randomRecovery).toArray());
            if (r != now) {
                dashed(top, random);
            }
        }
        return chart;
    }

    private static void dashed(XYSeries... series) {
        for (XYSeries s : series) {
            if (s != null) {
                s.setLineStyle(SeriesLines.DASH_DASH);
                s.setMarker(SeriesMarkers.NONE);
            }
        }
    }

    /**
     * A series of its finite points: an undefined value (a share of a zero gain, a recovery of a zero
     * effect) is left as a gap, and a series with no finite point is not drawn (null), since XChart
     * refuses a series whose range is not finite.
     */
    private static XYSeries series(XYChart chart, String name, double[] x, double[] y) {
        return anyFinite(y) ? chart.addSeries(name, x, finiteOrNaN(y)) : null;
    }

    private static XYSeries series(XYChart chart, String name, double[] x, double[] y, double[] errorBars) {
        if (!anyFinite(y)) {
            return null;
        }
        double[] bars = new double[errorBars.length];
        for (int i = 0; i < bars.length; i++) {
            bars[i] = Double.isFinite(errorBars[i]) && Double.isFinite(y[i]) ? errorBars[i] : 0;
        }
        return chart.addSeries(name, x, finiteOrNaN(y), bars);
    }

    private static boolean anyFinite(double[] values) {
        return java.util.Arrays.stream(values).anyMatch(Double::isFinite);
    }

    private static double[] finiteOrNaN(double[] values) {
        return java.util.Arrays.stream(values).map(v -> Double.isFinite(v) ? v : Double.NaN).toArray();
    }

    /** Whether the chart has anything to draw. */
    public static boolean drawable(Chart<?, ?> chart) {
        return !chart.getSeriesCollection().isEmpty();
    }

    /** The chart as an SVG element to inline in HTML (no XML prolog, no external reference). */
    public static String svg(Chart<?, ?> chart) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            ChartEncoder.saveChart(chart, out, "svg");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        int root = text.indexOf("<svg");
        return root < 0 ? text : text.substring(root);
    }

    public static byte[] png(Chart<?, ?> chart) {
        try {
            return ChartEncoder.getBytes(chart, "png");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
