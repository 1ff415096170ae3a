package dev.locus.measure;

import dev.locus.analysis.Svd;
import dev.locus.model.Point;
import dev.locus.patching.Activations;
import dev.locus.patching.CleanRun;
import dev.locus.patching.Direction;
import dev.locus.patching.Intervention;
import dev.locus.patching.PatchPositions;
import dev.locus.patching.Sweep;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One per-pair phase of the protocol, declared: the pairs it covers, the directions it patches in,
 * the patched runs it asks of every covered pair under the keys their margins are journaled and
 * read back by, and what it reads out of each pair's two clean runs besides. {@link Phases} runs it.
 */
record Phase(PhaseName name, Coverage coverage, List<Direction> directions, Map<MarginKey, Sweep.Cell> cells, Readout readout,
        boolean keepsCompletionMeans) {

    /** Which pairs a phase measures. */
    enum Coverage {
        ALL_PAIRS,
        HELD_OUT_PAIRS,
        /** The first {@link #SHOWN} held-out pairs: those whose continuations the report shows. */
        SHOWN_HELD_OUT_PAIRS;

        static final int SHOWN = 3;

        boolean covers(int index, boolean[] heldOut) {
            return switch (this) {
                case ALL_PAIRS -> true;
                case HELD_OUT_PAIRS -> heldOut[index];
                case SHOWN_HELD_OUT_PAIRS -> heldOut[index] && java.util.stream.IntStream.range(0, index).filter(i -> heldOut[i]).count() < SHOWN;
            };
        }
    }

    /** Numbers read out of a pair's clean runs while they are alive, journaled with the pair's margins. */
    @FunctionalInterface
    interface Readout {
        Readout NONE = (base, tuned) -> new double[0];

        double[] read(CleanRun base, CleanRun tuned);
    }

    /** The sites both layer sweeps patch, in the order they run. */
    static final List<Point.Site> SWEPT_SITES = List.of(Point.Site.BLOCK_OUT, Point.Site.RESID_POST);
    /** How the journal keys a patched margin: the direction, then the run's key. */
    static String marginKey(Direction direction, MarginKey key) {
        return direction.label() + " " + key.label();
    }

    /**
     * Clean margins of every pair, and each layer's point replaced in both directions at both
     * sites; the readout is LASSO's feature, the mean distance between the two models' block
     * outputs over completion positions, per layer.
     */
    static Phase layerSweeps(int layers, PatchPositions positions) {
        Map<MarginKey, Sweep.Cell> cells = new LinkedHashMap<>();
        for (Point.Site site : SWEPT_SITES) {
            for (int l = 0; l < layers; l++) {
                Point point = new Point(site, l);
                cells.put(new MarginKey.Swept(point), new Sweep.Cell(point, Intervention.replace(positions)));
            }
        }
        Readout distances = (base, tuned) -> {
            double[] d = new double[layers];
            for (int l = 0; l < layers; l++) {
                d[l] = Activations.meanDistance(base, tuned, Point.blockOut(l), PatchPositions.COMPLETION);
            }
            return d;
        };
        return new Phase(PhaseName.LAYERS, Coverage.ALL_PAIRS, List.of(Direction.TUNED_TO_BASE, Direction.BASE_TO_TUNED), cells,
                distances, false);
    }

    /**
     * Tuned->base interpolation at L* over the dose grid, then a noise patch and its mirror image
     * (the same Gaussian negated) and a shuffled patch of the same point.
     */
    static Phase doseAndControls(Point at, List<Double> alphas, long controlSeed, PatchPositions positions) {
        Map<MarginKey, Sweep.Cell> cells = new LinkedHashMap<>();
        for (double a : alphas) {
            cells.put(new MarginKey.Dose(a), new Sweep.Cell(at, Intervention.interpolate(a, positions)));
        }
        cells.put(MarginKey.Control.NOISE, new Sweep.Cell(at, new Intervention.Noise(1, controlSeed, positions)));
        cells.put(MarginKey.Control.NOISE_MIRRORED, new Sweep.Cell(at, new Intervention.Noise(-1, controlSeed, positions)));
        cells.put(MarginKey.Control.SHUFFLED, new Sweep.Cell(at, new Intervention.Shuffled(1, controlSeed, positions)));
        return new Phase(PhaseName.DOSE, Coverage.ALL_PAIRS, List.of(Direction.TUNED_TO_BASE), cells, Readout.NONE, false);
    }

    /**
     * On the held-out pairs, tuned->base patches of the top-k directions of the fit pairs'
     * difference at L*, then for each k the random orthonormal k-frames of the control.
     */
    static Phase subspaces(Point at, float[][] top, int[] ranks, int draws, int hidden, long controlSeed, PatchPositions positions) {
        Map<MarginKey, Sweep.Cell> cells = new LinkedHashMap<>();
        for (int k : ranks) {
            cells.put(new MarginKey.Top(k), new Sweep.Cell(at, Intervention.subspace(Arrays.copyOf(top, k), 1, positions)));
        }
        for (int k : ranks) {
            for (int d = 0; d < draws; d++) {
                long seed = controlSeed * 1_000_003L + k * 101L + d;
                cells.put(new MarginKey.RandomFrame(k, d), new Sweep.Cell(at, Intervention.subspace(toFloat(Svd.randomFrame(k, hidden, seed)), 1, positions)));
            }
        }
        return new Phase(PhaseName.SUBSPACE, Coverage.HELD_OUT_PAIRS, List.of(Direction.TUNED_TO_BASE), cells, Readout.NONE, false);
    }

    /**
     * On the held-out pairs, the base with each steering vector added at L* with each weight, and
     * random directions of the mean difference's norm with the same weights; the completions' mean
     * log-probs kept for the fluency guard.
     */
    static Phase steering(Point at, float[] meanDifference, float[] projected, List<Double> scales, int draws, long controlSeed,
            PatchPositions positions) {
        Map<MarginKey, Sweep.Cell> cells = new LinkedHashMap<>();
        for (double c : scales) {
            cells.put(new MarginKey.Steered(MarginKey.SteeringVector.MEAN_DIFFERENCE, c),
                    new Sweep.Cell(at, Intervention.steer(meanDifference, c, positions)));
            cells.put(new MarginKey.Steered(MarginKey.SteeringVector.PROJECTED, c),
                    new Sweep.Cell(at, Intervention.steer(projected, c, positions)));
        }
        for (int d = 0; d < draws; d++) {
            float[] random = randomDirection(meanDifference, controlSeed * 1_000_003L + 7919L * (d + 1));
            for (double c : scales) {
                cells.put(new MarginKey.SteeredRandom(d, c), new Sweep.Cell(at, Intervention.steer(random, c, positions)));
            }
        }
        return new Phase(PhaseName.STEERING, Coverage.HELD_OUT_PAIRS, List.of(Direction.TUNED_TO_BASE), cells, Readout.NONE, true);
    }

    /** A seeded Gaussian direction with the norm of {@code like}. */
    static float[] randomDirection(float[] like, long seed) {
        java.util.Random random = new java.util.Random(seed);
        double[] g = new double[like.length];
        double norm = 0;
        double target = 0;
        for (int i = 0; i < g.length; i++) {
            g[i] = random.nextGaussian();
            norm += g[i] * g[i];
            target += (double) like[i] * like[i];
        }
        double scale = Math.sqrt(target / norm);
        float[] out = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            out[i] = (float) (g[i] * scale);
        }
        return out;
    }

    /**
     * On the first held-out pairs, greedy continuations of each pair's prompt by the base, by the
     * base with the steering vector at each weight, and by the tuned model: no patched margin, the
     * texts the report shows ({@link PairWork} generates them).
     */
    static Phase continuations() {
        return new Phase(PhaseName.CONTINUATIONS, Coverage.SHOWN_HELD_OUT_PAIRS, List.of(), Map.of(), Readout.NONE, false);
    }

    /** Only the two clean runs of every pair, nothing patched. */
    static Phase cleanRunsOnly() {
        return new Phase(PhaseName.SVD, Coverage.ALL_PAIRS, List.of(), Map.of(), Readout.NONE, false);
    }

    /** The phase a spec declares, built in the JVM that runs it. */
    static Phase of(PhaseSpec spec) {
        if (spec instanceof PhaseSpec.LayerSweeps s) {
            return layerSweeps(s.layers(), s.positions());
        }
        if (spec instanceof PhaseSpec.DoseAndControls s) {
            return doseAndControls(s.at(), s.alphas(), s.controlSeed(), s.positions());
        }
        if (spec instanceof PhaseSpec.Subspaces s) {
            return subspaces(s.at(), s.top(), s.ranks(), s.draws(), s.hidden(), s.controlSeed(), s.positions());
        }
        if (spec instanceof PhaseSpec.Continuations) {
            return continuations();
        }
        if (spec instanceof PhaseSpec.Steering s) {
            return steering(s.at(), s.meanDifference(), s.projected(), s.scales(), s.draws(), s.controlSeed(), s.positions());
        }
        return cleanRunsOnly();
    }

    static float[][] toFloat(double[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = new float[rows[i].length];
            for (int c = 0; c < rows[i].length; c++) {
                out[i][c] = (float) rows[i][c];
            }
        }
        return out;
    }
}
