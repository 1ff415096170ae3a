package dev.locus.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.knowm.xchart.ChartEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** A claim's chart (see {@code Claim#chart}) rendered headless by XChart, as PNG or inline SVG. */
public final class Charts {
    private Charts() {}

    /** Whether the chart has anything to draw. */
    public static boolean drawable(Chart<?, ?> chart) {
        return !chart.getSeriesCollection().isEmpty();
    }

    /** The chart as an SVG element to inline in HTML (no XML prolog, no external reference). */
    public static String svg(Chart<?, ?> chart) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartEncoder.saveChart(chart, out, "svg");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text = out.toString(StandardCharsets.UTF_8);
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
