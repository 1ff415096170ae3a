package dev.locus.measure;

import dev.locus.model.Point;
import dev.locus.patching.Direction;
import java.util.List;

/** A per-pair phase's journaled units, one per pair it covers, in pair order, read by key. */
record PhaseUnits(List<PairUnit> units) {
    /** The patched margin under {@code direction} and {@code cell}, per covered pair. */
    double[] margins(Direction direction, MarginKey cell) {
        String key = Phase.marginKey(direction, cell);
        double[] out = new double[units.size()];
        for (int i = 0; i < out.length; i++) {
            Double m = units.get(i).margins().get(key);
            if (m == null) {
                throw new IllegalStateException("no margin " + key + " in the journaled unit of pair " + i);
            }
            out[i] = m;
        }
        return out;
    }

    /** [layer][pair] patched margins under {@code direction} at each layer's point of {@code site}. */
    double[][] byLayer(Direction direction, Point.Site site, int layers) {
        double[][] out = new double[layers][];
        for (int l = 0; l < layers; l++) {
            out[l] = margins(direction, new MarginKey.Swept(new Point(site, l)));
        }
        return out;
    }

    /** The completions' mean log-probs, [chosen, rejected], of the run under {@code direction} and {@code cell}, per covered pair. */
    double[][] completionMeans(Direction direction, MarginKey cell) {
        return completionMeans(Phase.marginKey(direction, cell));
    }

    /** The same of the base's clean run. */
    double[][] baseCompletionMeans() {
        return completionMeans(PairUnit.BASE);
    }

    private double[][] completionMeans(String key) {
        double[][] out = new double[units.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = units.get(i).completionMeans().get(key);
            if (out[i] == null) {
                throw new IllegalStateException("no completion means " + key + " in the journaled unit of pair " + i);
            }
        }
        return out;
    }

    double[] base() {
        return units.stream().mapToDouble(PairUnit::base).toArray();
    }

    double[] tuned() {
        return units.stream().mapToDouble(PairUnit::tuned).toArray();
    }

    double[][] readouts() {
        return units.stream().map(PairUnit::readout).toArray(double[][]::new);
    }
}
