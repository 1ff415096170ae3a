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
        double[] alphas = expectations.section(DoseResponseClaim.UNIT).alphas().stream().mapToDouble(Double::doubleValue).toArray();
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
        LowRankClaim.Section lowRank = expectations.section(LowRankClaim.UNIT);
        int[] ranks = lowRank.ranks().stream().mapToInt(Integer::intValue).filter(k -> k < hidden).toArray();
        int draws = lowRank.randomDraws();
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
        List<Measurement.Dose> doseCurve = new ArrayList<>();
        for (int a = 0; a < alphas.length; a++) {
            doseCurve.add(new Measurement.Dose(alphas[a], dose[a]));
        }
        List<Measurement.RankPatches> patches = new ArrayList<>();
        for (int r = 0; r < ranks.length; r++) {
            patches.add(new Measurement.RankPatches(ranks[r], subspace[r], List.of(frames[r])));
        }
        return new Measurement(layers, hidden, new Measurement.Sample(ids, heldOut, List.of()),
                new Measurement.LayerSweeps(base, tuned, sweeps, distances), new Measurement.Peak(peak, Measurement.Peak.BY_ARGMAX),
                new Measurement.DoseAndControls(doseCurve, noise, noiseMirrored, shuffled), new Measurement.Spectrum(descending, energy),
                new Measurement.Subspaces(patches), steering(random, base, gain, heldOut, hidden), List.of());
    }

    /**
     * Steering on the held-out pairs: the mean difference moves each pair by a share of its gain
     * that grows with c and saturates, the projection by a little less, random directions by noise;
     * the completions' log-probs fall with c squared.
     */
    private static Measurement.Steering steering(Random random, double[] base, double[] gain, boolean[] heldOut, int hidden) {
        int[] held = java.util.stream.IntStream.range(0, heldOut.length).filter(i -> heldOut[i]).toArray();
        float[] vector = new float[hidden];
        for (int c = 0; c < hidden; c++) {
            vector[c] = (float) random.nextGaussian();
        }
        double[][] baseMeans = new double[held.length][];
        for (int h = 0; h < held.length; h++) {
            baseMeans[h] = new double[] {-2 - random.nextDouble(), -2 - random.nextDouble()};
        }
        double reach = random.nextDouble();
        List<Measurement.Steered> scales = new ArrayList<>();
        for (double c : List.of(0.5, 1.0, 2.0)) {
            double share = reach * c / (1 + c);
            double[] steered = new double[held.length];
            double[] projected = new double[held.length];
            List<double[]> randoms = new ArrayList<>();
            double[][] means = new double[held.length][];
            for (int h = 0; h < held.length; h++) {
                int i = held[h];
                steered[h] = base[i] + share * gain[i] + 0.05 * random.nextGaussian();
                projected[h] = base[i] + 0.8 * share * gain[i] + 0.05 * random.nextGaussian();
                means[h] = new double[] {baseMeans[h][0] - 0.01 * c * c, baseMeans[h][1] - 0.01 * c * c};
            }
            for (int d = 0; d < 3; d++) {
                double[] r = new double[held.length];
                for (int h = 0; h < held.length; h++) {
                    r[h] = base[held[h]] + 0.05 * random.nextGaussian();
                }
                randoms.add(r);
            }
            scales.add(new Measurement.Steered(c, steered, projected, randoms, means));
        }
        return new Measurement.Steering(vector, 1, vector.clone(), baseMeans, scales);
    }

    /**
     * The same shape with no gain at all, as identical checkpoints give: every margin, patched or
     * not, is the base's, and every distance is zero.
     */
    public static Measurement withoutGain(Measurement m) {
        double[] base = m.base();
        double[] heldBase = Arrays.stream(m.heldOutIndices()).mapToDouble(i -> base[i]).toArray();
        Measurement flat = mapMargins(m, (pair, margin) -> base[pair], (held, margin) -> heldBase[held]);
        return withLayerSweeps(flat, new Measurement.LayerSweeps(base, base.clone(), flat.layerSweeps().sites(),
                new double[m.pairs()][m.layers()]));
    }

    /** Maps a margin of pair {@code pair} (or held-out pair {@code held}) to another. */
    @FunctionalInterface
    public interface MarginMap {
        double apply(int pair, double margin);
    }

    /**
     * Every margin mapped, the held-out pairs' subspace margins by {@code heldOut} and all others by
     * {@code all}; distances, spectrum and the rest stay.
     */
    public static Measurement mapMargins(Measurement m, MarginMap all, MarginMap heldOut) {
        Measurement.LayerSweeps s = m.layerSweeps();
        List<Measurement.LayerSweep> sites = s.sites().stream().map(site -> new Measurement.LayerSweep(site.site(),
                map(site.tunedToBase(), all), map(site.baseToTuned(), all))).toList();
        Measurement.DoseAndControls d = m.doseAndControls();
        List<Measurement.Dose> dose = d.dose().stream().map(p -> new Measurement.Dose(p.alpha(), map(p.margins(), all))).toList();
        List<Measurement.RankPatches> ranks = m.subspaces().ranks().stream().map(r -> new Measurement.RankPatches(r.k(),
                map(r.top(), heldOut), r.randomFrames().stream().map(f -> map(f, heldOut)).toList())).toList();
        Measurement.Steering st = m.steering();
        List<Measurement.Steered> steered = st.scales().stream().map(c -> new Measurement.Steered(c.scale(),
                map(c.meanDifference(), heldOut), map(c.projected(), heldOut), c.randomDirections().stream().map(r -> map(r, heldOut))
                        .toList(), c.completionMeans())).toList();
        return new Measurement(m.layers(), m.hiddenSize(), m.sample(), new Measurement.LayerSweeps(map(s.base(), all),
                map(s.tuned(), all), sites, s.distances()), m.peak(), new Measurement.DoseAndControls(dose, map(d.noise(), all),
                map(d.noiseMirrored(), all), map(d.shuffled(), all)), m.spectrum(), new Measurement.Subspaces(ranks),
                new Measurement.Steering(st.meanDifference(), st.rank(), st.projected(), st.baseCompletionMeans(), steered),
                m.continuations());
    }

    public static Measurement withLayerSweeps(Measurement m, Measurement.LayerSweeps sweeps) {
        return new Measurement(m.layers(), m.hiddenSize(), m.sample(), sweeps, m.peak(), m.doseAndControls(), m.spectrum(),
                m.subspaces(), m.steering(), m.continuations());
    }

    public static Measurement withControls(Measurement m, Measurement.DoseAndControls controls) {
        return new Measurement(m.layers(), m.hiddenSize(), m.sample(), m.layerSweeps(), m.peak(), controls, m.spectrum(),
                m.subspaces(), m.steering(), m.continuations());
    }

    public static Measurement withPeak(Measurement m, int peak) {
        return new Measurement(m.layers(), m.hiddenSize(), m.sample(), m.layerSweeps(), new Measurement.Peak(peak,
                m.peak().chosenBy()), m.doseAndControls(), m.spectrum(), m.subspaces(),
                m.steering(), m.continuations());
    }

    public static Measurement withSample(Measurement m, Measurement.Sample sample) {
        return new Measurement(m.layers(), m.hiddenSize(), sample, m.layerSweeps(), m.peak(), m.doseAndControls(), m.spectrum(),
                m.subspaces(), m.steering(), m.continuations());
    }

    private static double[] map(double[] margins, MarginMap f) {
        double[] out = new double[margins.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.apply(i, margins[i]);
        }
        return out;
    }

    private static double[][] map(double[][] margins, MarginMap f) {
        return Arrays.stream(margins).map(row -> map(row, f)).toArray(double[][]::new);
    }
}
