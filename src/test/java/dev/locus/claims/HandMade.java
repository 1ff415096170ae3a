package dev.locus.claims;

import dev.locus.measure.Measurement;
import dev.locus.model.Point;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Measurements made by hand, for laws and comparisons that need no model run. */
public final class HandMade {
    private HandMade() {}

    /**
     * A measurement of the shape a run gives, with random numbers: per layer a share of each pair's
     * gain transferred in each direction, a dose curve, controls, subspace patches and distances.
     */
    public static Measurement measurement(Random random, Expectations expectations) {
        int layers = 4 + random.nextInt(7);
        int n = 12 + random.nextInt(29);
        int hidden = 128;
        boolean[] heldOut = new boolean[n];
        List<String> ids = new ArrayList<>();
        double[] base = new double[n];
        double[] tuned = new double[n];
        double[] gain = new double[n];
        for (int i = 0; i < n; i++) {
            ids.add("p" + i);
            heldOut[i] = i % 2 == 1;
            base[i] = -5 + 10 * random.nextDouble();
            gain[i] = random.nextDouble() < 0.9 ? 0.2 + 2 * random.nextDouble() : -random.nextDouble();
            tuned[i] = base[i] + gain[i];
        }
        List<Measurement.LayerSweep> sweeps = new ArrayList<>();
        for (Point.Site site : List.of(Point.Site.BLOCK_OUT, Point.Site.RESID_POST)) {
            double[][] toBase = new double[layers][n];
            double[][] toTuned = new double[layers][n];
            for (int l = 0; l < layers; l++) {
                double f = random.nextDouble();
                double r = random.nextDouble();
                for (int i = 0; i < n; i++) {
                    toBase[l][i] = base[i] + f * gain[i] + 0.1 * random.nextGaussian();
                    toTuned[l][i] = tuned[i] - r * gain[i] + 0.1 * random.nextGaussian();
                }
            }
            sweeps.add(new Measurement.LayerSweep(site, toBase, toTuned));
        }
        int peak = Measurement.argmaxTransfer(sweeps.get(0).tunedToBase(), base);
        double[] alphas = expectations.doseResponse().alphas().stream().mapToDouble(Double::doubleValue).toArray();
        double[][] dose = new double[alphas.length][n];
        double bend = random.nextDouble();
        for (int a = 0; a < alphas.length; a++) {
            for (int i = 0; i < n; i++) {
                dose[a][i] = base[i] + gain[i] * (alphas[a] + bend * Math.sin(3 * alphas[a])) + 0.05 * random.nextGaussian();
            }
        }
        double[] noise = new double[n];
        double[] noiseMirrored = new double[n];
        double[] shuffled = new double[n];
        for (int i = 0; i < n; i++) {
            // A draw's first-order effect changes sign with the draw; what both share is the patch's systematic effect.
            double systematic = 0.02 * random.nextGaussian();
            double firstOrder = 0.3 * random.nextGaussian();
            noise[i] = base[i] + systematic + firstOrder;
            noiseMirrored[i] = base[i] + systematic - firstOrder;
            shuffled[i] = base[i] + random.nextDouble() * gain[i];
        }
        int[] ranks = expectations.lowRank().ranks().stream().mapToInt(Integer::intValue).filter(k -> k < hidden).toArray();
        int draws = expectations.lowRank().randomDraws();
        int held = n / 2;
        double[][] subspace = new double[ranks.length][held];
        double[][][] frames = new double[ranks.length][draws][held];
        for (int r = 0; r < ranks.length; r++) {
            double share = Math.min(1, random.nextDouble() * (r + 1));
            int h = 0;
            for (int i = 0; i < n; i++) {
                if (!heldOut[i]) {
                    continue;
                }
                subspace[r][h] = base[i] + share * gain[i] + 0.1 * random.nextGaussian();
                for (int d = 0; d < draws; d++) {
                    frames[r][d][h] = base[i] + 0.2 * random.nextDouble() * gain[i];
                }
                h++;
            }
        }
        double[] values = new double[hidden];
        double[] energy = new double[hidden];
        double total = 0;
        for (int k = 0; k < hidden; k++) {
            values[k] = Math.exp(-k * random.nextDouble());
            total += values[k] * values[k];
        }
        Arrays.sort(values);
        double[] descending = new double[hidden];
        double running = 0;
        for (int k = 0; k < hidden; k++) {
            descending[k] = values[hidden - 1 - k];
            running += descending[k] * descending[k];
            energy[k] = running / total;
        }
        double[][] distances = new double[n][layers];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < layers; l++) {
                distances[i][l] = random.nextDouble() + (l == peak ? Math.abs(gain[i]) : 0);
            }
        }
        return new Measurement(layers, hidden, ids, heldOut, List.of(), base, tuned, sweeps, peak, Measurement.PEAK_BY_ARGMAX, alphas,
                dose, noise, noiseMirrored, shuffled, ranks, subspace, frames, descending, energy, distances);
    }

    /**
     * The same shape with no gain at all, as identical checkpoints give: every margin, patched or
     * not, is the base's, and every distance is zero.
     */
    public static Measurement withoutGain(Measurement m) {
        int n = m.pairs();
        double[] base = m.base();
        double[][] perLayer = new double[m.layers()][];
        Arrays.fill(perLayer, base);
        List<Measurement.LayerSweep> sweeps = m.sweeps().stream()
                .map(s -> new Measurement.LayerSweep(s.site(), perLayer, perLayer)).toList();
        double[][] dose = new double[m.doseAlphas().length][];
        Arrays.fill(dose, base);
        double[] heldBase = new double[m.subspace()[0].length];
        for (int i = 0, h = 0; i < n; i++) {
            if (m.heldOut()[i]) {
                heldBase[h++] = base[i];
            }
        }
        double[][] subspace = new double[m.ranks().length][];
        Arrays.fill(subspace, heldBase);
        double[][][] frames = new double[m.ranks().length][m.random()[0].length][];
        for (double[][] r : frames) {
            Arrays.fill(r, heldBase);
        }
        return new Measurement(m.layers(), m.hiddenSize(), m.pairIds(), m.heldOut(), m.skipped(), base, base.clone(), sweeps,
                m.peakLayer(), m.peakChosenBy(), m.doseAlphas(), dose, base.clone(), base.clone(), base.clone(), m.ranks(), subspace, frames,
                m.singularValues(), m.energy(), new double[n][m.layers()]);
    }
}
