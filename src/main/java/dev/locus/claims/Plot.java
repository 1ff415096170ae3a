package dev.locus.claims;

import java.util.Arrays;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The claims' charts' common parts: one size, series of their finite points, baselines dashed. */
final class Plot {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 420;

    private Plot() {}

    static XYChart xy(String title, String xAxis, String yAxis) {
        return new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxis).yAxisTitle(yAxis).build();
    }

    static CategoryChart bars(String title, String xAxis, String yAxis) {
        return new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxis).yAxisTitle(yAxis).build();
    }

    /**
     * A series of its finite points: an undefined value (a share of a zero gain, a recovery of a zero
     * effect) is left as a gap, and a series with no finite point is not drawn (null), since XChart
     * refuses a series whose range is not finite.
     */
    static XYSeries series(XYChart chart, String name, double[] x, double[] y) {
        return anyFinite(y) ? chart.addSeries(name, x, finiteOrNaN(y)) : null;
    }

    static XYSeries series(XYChart chart, String name, double[] x, double[] y, double[] errorBars) {
        if (!anyFinite(y)) {
            return null;
        }
        double[] bars = new double[errorBars.length];
        for (int i = 0; i < bars.length; i++) {
            bars[i] = Double.isFinite(errorBars[i]) && Double.isFinite(y[i]) ? errorBars[i] : 0;
        }
        return chart.addSeries(name, x, finiteOrNaN(y), bars);
    }

    static void bars(CategoryChart chart, String name, double[] x, double[] y) {
        if (anyFinite(y)) {
            chart.addSeries(name, x, finiteOrNaN(y));
        }
    }

    /** A baseline's series: dashed, without markers. */
    static void dashed(XYSeries... series) {
        for (XYSeries s : series) {
            if (s != null) {
                s.setLineStyle(SeriesLines.DASH_DASH);
                s.setMarker(SeriesMarkers.NONE);
            }
        }
    }

    private static boolean anyFinite(double[] values) {
        return Arrays.stream(values).anyMatch(Double::isFinite);
    }

    private static double[] finiteOrNaN(double[] values) {
        return Arrays.stream(values).map(v -> Double.isFinite(v) ? v : Double.NaN).toArray();
    }

    /** A share as the report prints it: {@code 5 %}, {@code 2.5 %}. */
    static String percent(double share) {
        double p = 100 * share;
        return (p == Math.rint(p) ? String.valueOf((long) p) : String.format(java.util.Locale.ROOT, "%.3g", p)) + " %";
    }
}
