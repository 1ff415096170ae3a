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
        chart.addSeries("f_L tuned->base", x, layers.stream().mapToDouble(AsymmetryClaim.LayerEffect::f).toArray(),
                layers.stream().mapToDouble(e -> (e.fHigh() - e.fLow()) / 2).toArray());
        chart.addSeries("r_L base->tuned", x, layers.stream().mapToDouble(AsymmetryClaim.LayerEffect::r).toArray(),
                layers.stream().mapToDouble(e -> (e.rHigh() - e.rLow()) / 2).toArray());
        return chart;
    }

    /** Mean margin against alpha at L*. */
    public static XYChart doseResponse(DoseResponseClaim.Result r) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Dose-response at layer " + r.peakLayer()).xAxisTitle("alpha (tuned->base interpolation)")
                .yAxisTitle("mean margin").build();
        chart.addSeries("M(alpha)", r.alphas(), r.meanMargins());
        return chart;
    }

    /** Recovery against k, beside random frames and the singular-value energy. */
    public static XYChart recovery(LowRankClaim.Result r) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Low-rank recovery at layer " + r.peakLayer() + " (held-out pairs)").xAxisTitle("rank k")
                .yAxisTitle("share").build();
        chart.getStyler().setXAxisLogarithmic(true);
        double[] k = r.recovery().stream().mapToDouble(LowRankClaim.RankRecovery::k).toArray();
        chart.addSeries("recovery(k), top-k directions", k, r.recovery().stream().mapToDouble(LowRankClaim.RankRecovery::recovery).toArray());
        chart.addSeries("random k-frames (mean)", k, r.recovery().stream().mapToDouble(LowRankClaim.RankRecovery::randomRecovery).toArray());
        XYSeries energy = chart.addSeries("singular-value energy", k, r.recovery().stream().mapToDouble(LowRankClaim.RankRecovery::energy).toArray());
        energy.setMarker(SeriesMarkers.NONE);
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
        chart.addSeries("coefficient (standardized)", x, r.coefficients());
        chart.addSeries("bootstrap selection frequency", x, r.selectionFrequency());
        chart.addSeries("univariate R^2", x, r.univariateR2());
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
            XYSeries f = chart.addSeries("f_L tuned->base" + who, x, r.layers().stream().mapToDouble(AsymmetryClaim.LayerEffect::f).toArray());
            XYSeries rl = chart.addSeries("r_L base->tuned" + who, x, r.layers().stream().mapToDouble(AsymmetryClaim.LayerEffect::r).toArray());
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
        chart.addSeries("M(alpha)", now.alphas(), now.meanMargins());
        dashed(chart.addSeries("M(alpha) (baseline)", baseline.alphas(), baseline.meanMargins()));
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
            XYSeries top = chart.addSeries("recovery(k)" + who, k, r.recovery().stream().mapToDouble(LowRankClaim.RankRecovery::recovery).toArray());
            XYSeries random = chart.addSeries("random k-frames" + who, k,
                    r.recovery().stream().mapToDouble(LowRankClaim.RankRecovery::randomRecovery).toArray());
            if (r != now) {
                dashed(top, random);
            }
        }
        return chart;
    }

    private static void dashed(XYSeries... series) {
        for (XYSeries s : series) {
            s.setLineStyle(SeriesLines.DASH_DASH);
            s.setMarker(SeriesMarkers.NONE);
        }
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
