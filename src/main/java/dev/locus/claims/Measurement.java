package dev.locus.claims;

import ai.djl.ndarray.NDManager;
import dev.locus.LocusException;
import dev.locus.Provenance;
import dev.locus.Sha256;
import dev.locus.analysis.Svd;
import dev.locus.data.PairSampling;
import dev.locus.data.PairsFile;
import dev.locus.data.PreferencePair;
import dev.locus.model.Checkpoint;
import dev.locus.model.LlamaConfig;
import dev.locus.model.LlamaModel;
import dev.locus.model.Point;
import dev.locus.model.Tokenizer;
import dev.locus.patching.Activations;
import dev.locus.patching.Direction;
import dev.locus.patching.Intervention;
import dev.locus.patching.PairEncoder;
import dev.locus.patching.PatchPositions;
import dev.locus.patching.Prompted;
import dev.locus.patching.Schedule;
import dev.locus.patching.Sweep;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every number the four claims read, measured once on a checkpoint pair: clean margins, both
 * per-layer sweeps (at {@code block_out.L} and {@code resid_post.L}), the dose-response and the
 * controls at the peak layer L*, the SVD of the tuned-minus-base differences at L* on the fit pairs
 * and the subspace patches on the held-out pairs, and the per-layer activation distances LASSO
 * reads. Margins are kept raw, per pair; the claims derive their effects from them.
 *
 * @param pairIds the measured pairs, in sampled order
 * @param heldOut per pair, whether it is held out of the subspace fit
 * @param skipped pairs that could not be encoded, with the reason
 * @param base m_B per pair
 * @param tuned m_T per pair
 * @param sweeps per site ({@code block_out}, {@code resid_post}): patched margins per layer and pair
 * @param peakLayer L*
 * @param peakChosenBy {@code argmax f_L} or {@code expectations}
 * @param doseAlphas the interpolation weights at L*
 * @param dose [alpha][pair] base margin with tuned's point L* interpolated in
 * @param noise per pair, base margin under a Gaussian patch of the donor difference's norm at L*
 * @param shuffled per pair, base margin with another pair's tuned activations at L*
 * @param ranks the subspace ranks measured, below the hidden size
 * @param subspace [rank][held-out pair] base margin with the top-k directions of the difference patched in
 * @param random [rank][draw][held-out pair] the same with random orthonormal k-frames
 * @param singularValues of the stacked fit-pair differences at L*
 * @param energy cumulative energy fraction of the singular values
 * @param distances [pair][layer] mean over completion positions of ||tuned - base|| at {@code block_out.L}
 */
public record Measurement(Provenance provenance, int layers, int hiddenSize, List<String> pairIds, boolean[] heldOut,
        List<Skipped> skipped, double[] base, double[] tuned, List<LayerSweep> sweeps, int peakLayer, String peakChosenBy,
        double[] doseAlphas, double[][] dose, double[] noise, double[] shuffled, int[] ranks, double[][] subspace,
        double[][][] random, double[] singularValues, double[] energy, double[][] distances) {

    /** A pair left out, and why. */
    public record Skipped(String id, String reason) {}

    /**
     * One site's per-layer sweep: [layer][pair] patched margins, tuned->base (the base with the
     * tuned model's point) and base->tuned (the tuned model with the base's point).
     */
    public record LayerSweep(String site, double[][] tunedToBase, double[][] baseToTuned) {}

    /** The inputs a measurement is a function of. */
    public record Subject(String name, Path base, Path tuned, Path pairs, Path expectationsFile) {}

    public int pairs() {
        return pairIds.size();
    }

    public LayerSweep sweep(String site) {
        return sweeps.stream().filter(s -> s.site().equals(site)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no sweep at site " + site));
    }

    /** G(p) = m_T - m_B. */
    public double[] gains() {
        double[] g = new double[base.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = tuned[i] - base[i];
        }
        return g;
    }

    public int[] heldOutIndices() {
        return indices(true);
    }

    private int[] indices(boolean held) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < heldOut.length; i++) {
            if (heldOut[i] == held) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Measures a subject under an expectations file's run settings, with progress lines on {@code log}. */
    public static Measurement measure(Subject subject, Expectations expectations, PrintStream log) {
        Expectations.Run run = expectations.run();
        requireSameTokenizer(subject.base(), subject.tuned());
        List<PreferencePair> sample = PairSampling.stratified(PairsFile.load(subject.pairs()), run.pairs(), run.seed());
        PairSampling.Split split = PairSampling.split(sample, run.heldOutFraction(), run.seed());
        java.util.Set<String> heldIds = new java.util.HashSet<>();
        split.heldOut().forEach(p -> heldIds.add(p.id()));

        try (NDManager root = NDManager.newBaseManager();
                LlamaModel baseModel = LlamaModel.load(subject.base(), root);
                LlamaModel tunedModel = LlamaModel.load(subject.tuned(), root)) {
            LlamaConfig config = baseModel.config();
            int layers = config.numLayers();
            int hidden = config.hiddenSize();
            if (run.peakLayer() != null && run.peakLayer() >= layers) {
                throw new LocusException(subject.expectationsFile(), "run.peak_layer",
                        "layer " + run.peakLayer() + " out of range, the models have layers 0.." + (layers - 1));
            }
            Sweep sweep = new Sweep(baseModel, tunedModel, Schedule.CACHED);
            List<Prompted> pairs = new ArrayList<>();
            List<Skipped> skipped = new ArrayList<>();
            encode(subject, config, sample, pairs, skipped);
            if (pairs.size() < 10) {
                throw new LocusException(subject.pairs(), "pairs", "only " + pairs.size() + " of " + sample.size()
                        + " sampled pairs encode; the claims need at least 10");
            }
            int n = pairs.size();
            boolean[] heldOut = new boolean[n];
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ids.add(pairs.get(i).id());
                heldOut[i] = heldIds.contains(pairs.get(i).id());
            }
            PatchPositions positions = run.patchPositions();
            String site = run.site();

            // Phase 1: clean margins, both directions at every layer and both sites, LASSO's distances.
            List<Sweep.Cell> layerCells = new ArrayList<>();
            for (Point.Site s : List.of(Point.Site.BLOCK_OUT, Point.Site.RESID_POST)) {
                for (int l = 0; l < layers; l++) {
                    layerCells.add(new Sweep.Cell(new Point(s, l), Intervention.replace(positions)));
                }
            }
            double[] base = new double[n];
            double[] tuned = new double[n];
            double[][][] toBase = new double[2][layers][n];
            double[][][] toTuned = new double[2][layers][n];
            double[][] distances = new double[n][layers];
            Progress progress = new Progress(log, "layer sweeps", n);
            sweep.run(root, pairs, layerCells, List.of(Direction.TUNED_TO_BASE, Direction.BASE_TO_TUNED),
                    (i, b, t) -> {
                        for (int l = 0; l < layers; l++) {
                            distances[i][l] = Activations.meanDistance(b, t, Point.blockOut(l), PatchPositions.COMPLETION);
                        }
                    },
                    result -> {
                        int i = ids.indexOf(result.id());
                        base[i] = finite(result.base().margin(), result.id(), "base margin");
                        tuned[i] = finite(result.tuned().margin(), result.id(), "tuned margin");
                        for (Sweep.Patched p : result.patched()) {
                            int s = p.cell().point().site() == Point.Site.BLOCK_OUT ? 0 : 1;
                            double m = finite(p.margin().margin(), result.id(), p.cell().label());
                            (p.direction() == Direction.TUNED_TO_BASE ? toBase : toTuned)[s][p.cell().point().layer()][i] = m;
                        }
                        progress.step();
                    });
            List<LayerSweep> sweeps = List.of(new LayerSweep("block_out", toBase[0], toTuned[0]),
                    new LayerSweep("resid_post", toBase[1], toTuned[1]));
            LayerSweep primary = sweeps.get(site.equals("block_out") ? 0 : 1);

            int peak;
            String chosenBy;
            if (run.peakLayer() != null) {
                peak = run.peakLayer();
                chosenBy = "expectations";
            } else {
                peak = argmaxTransfer(primary.tunedToBase(), base);
                chosenBy = "argmax f_L";
            }
            Point peakPoint = new Point(run.pointSite(), peak);

            // Phase 2: dose-response and controls at L* on every pair; the fit pairs' differences for the SVD.
            List<Double> alphas = expectations.doseResponse().alphas();
            List<Sweep.Cell> doseCells = new ArrayList<>();
            for (double a : alphas) {
                doseCells.add(new Sweep.Cell(peakPoint, Intervention.interpolate(a, positions)));
            }
            doseCells.add(new Sweep.Cell(peakPoint, new Intervention.Noise(1, run.controlSeed(), positions)));
            doseCells.add(new Sweep.Cell(peakPoint, new Intervention.Shuffled(1, run.controlSeed(), positions)));
            double[][] dose = new double[alphas.size()][n];
            double[] noise = new double[n];
            double[] shuffled = new double[n];
            List<float[]> differenceRows = new ArrayList<>();
            Progress doseProgress = new Progress(log, "dose-response and controls at " + peakPoint, n);
            sweep.run(root, pairs, doseCells, List.of(Direction.TUNED_TO_BASE),
                    (i, b, t) -> {
                        if (!heldOut[i]) {
                            differenceRows.addAll(List.of(Activations.differences(b, t, peakPoint, positions)));
                        }
                    },
                    result -> {
                        int i = ids.indexOf(result.id());
                        for (int c = 0; c < doseCells.size(); c++) {
                            double m = finite(result.patched().get(c).margin().margin(), result.id(), doseCells.get(c).label());
                            if (c < alphas.size()) {
                                dose[c][i] = m;
                            } else if (c == alphas.size()) {
                                noise[i] = m;
                            } else {
                                shuffled[i] = m;
                            }
                        }
                        doseProgress.step();
                    });

            // Phase 3: the rank-k subspaces of the difference, and random k-frames, on the held-out pairs.
            log.printf(Locale.ROOT, "locus claims: SVD of %d x %d differences at %s%n", differenceRows.size(), hidden, peakPoint);
            double[][] stacked = new double[differenceRows.size()][];
            for (int r = 0; r < stacked.length; r++) {
                float[] row = differenceRows.get(r);
                stacked[r] = new double[row.length];
                for (int c = 0; c < row.length; c++) {
                    stacked[r][c] = row[c];
                }
            }
            Svd svd = Svd.of(stacked);
            int maxRank = Math.min(hidden, stacked.length);
            int[] ranks = expectations.lowRank().ranks().stream().mapToInt(Integer::intValue).filter(k -> k < maxRank).toArray();
            int draws = expectations.lowRank().randomDraws();
            List<Sweep.Cell> subspaceCells = new ArrayList<>();
            for (int k : ranks) {
                subspaceCells.add(new Sweep.Cell(peakPoint, Intervention.subspace(toFloat(svd.top(k)), 1, positions)));
            }
            for (int k : ranks) {
                for (int d = 0; d < draws; d++) {
                    long seed = run.controlSeed() * 1_000_003L + k * 101L + d;
                    subspaceCells.add(new Sweep.Cell(peakPoint, Intervention.subspace(toFloat(Svd.randomFrame(k, hidden, seed)), 1, positions)));
                }
            }
            List<Prompted> heldPairs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (heldOut[i]) {
                    heldPairs.add(pairs.get(i));
                }
            }
            double[][] subspace = new double[ranks.length][heldPairs.size()];
            double[][][] random = new double[ranks.length][draws][heldPairs.size()];
            Progress subspaceProgress = new Progress(log, "subspace patches at " + peakPoint, heldPairs.size());
            int[] heldIndex = {0};
            sweep.run(root, heldPairs, subspaceCells, List.of(Direction.TUNED_TO_BASE), result -> {
                int h = heldIndex[0]++;
                for (int c = 0; c < subspaceCells.size(); c++) {
                    double m = finite(result.patched().get(c).margin().margin(), result.id(), subspaceCells.get(c).label());
                    if (c < ranks.length) {
                        subspace[c][h] = m;
                    } else {
                        int r = (c - ranks.length) / draws;
                        random[r][(c - ranks.length) % draws][h] = m;
                    }
                }
                subspaceProgress.step();
            });

            Provenance provenance = Provenance.of("locus claims").seed(run.seed())
                    .files("base", hashes(subject.base())).files("tuned", hashes(subject.tuned()))
                    .file("pairs", subject.pairs()).file("expectations", subject.expectationsFile())
                    .config("subject", subject.name()).config("expectations", expectations.name())
                    .config("pairs_requested", run.pairs()).config("held_out_fraction", run.heldOutFraction())
                    .config("site", site).config("positions", positions.label()).config("control_seed", run.controlSeed())
                    .config("bootstrap_resamples", run.bootstrapResamples()).config("confidence", run.confidence())
                    .config("schedule", "cached").config("format", "raw").config("pairs_measured", n)
                    .config("pairs_skipped", skipped.isEmpty() ? "none" : skipped.stream().map(k -> k.id() + ": " + k.reason())
                            .collect(java.util.stream.Collectors.joining("; ")))
                    .build();
            return new Measurement(provenance, layers, hidden, List.copyOf(ids), heldOut, List.copyOf(skipped), base, tuned, sweeps,
                    peak, chosenBy, alphas.stream().mapToDouble(Double::doubleValue).toArray(), dose, noise, shuffled, ranks,
                    subspace, random, svd.singularValues(), svd.energyFraction(), distances);
        }
    }

    /** L* = argmax over layers of mean(patched - m_B), the same argmax as f_L (one mean G divides them all). */
    static int argmaxTransfer(double[][] tunedToBase, double[] base) {
        int best = 0;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int l = 0; l < tunedToBase.length; l++) {
            double s = 0;
            for (int i = 0; i < base.length; i++) {
                s += tunedToBase[l][i] - base[i];
            }
            if (s > bestValue) {
                bestValue = s;
                best = l;
            }
        }
        return best;
    }

    private static void encode(Subject subject, LlamaConfig config, List<PreferencePair> sample, List<Prompted> pairs,
            List<Skipped> skipped) {
        try (Tokenizer tokenizer = Tokenizer.load(subject.base())) {
            PairEncoder encoder = new PairEncoder(tokenizer, config.bosTokenId(), PairEncoder.Format.RAW,
                    config.maxPositionEmbeddings(), subject.base());
            for (PreferencePair p : sample) {
                PairEncoder.Encoded e = encoder.encode(p);
                if (e instanceof PairEncoder.Ok ok) {
                    pairs.add(ok.tokens());
                } else if (e instanceof PairEncoder.Skipped s) {
                    skipped.add(new Skipped(s.id(), s.reason()));
                }
            }
        }
    }

    /** Both models read the base's token ids: their tokenizers must be the same file. */
    static void requireSameTokenizer(Path base, Path tuned) {
        Path a = base.resolve(Checkpoint.TOKENIZER_FILE);
        Path b = tuned.resolve(Checkpoint.TOKENIZER_FILE);
        for (Path p : List.of(a, b)) {
            if (!Files.isRegularFile(p)) {
                throw new LocusException(p, "(file)", "missing: the claims tokenize the pairs with each checkpoint's tokenizer.json");
            }
        }
        if (!Sha256.of(a).equals(Sha256.of(b))) {
            throw new LocusException(b, "(tokenizer)", "differs from the base's " + a + ": the two models would read different tokens");
        }
    }

    private static java.util.Map<String, String> hashes(Path dir) {
        try (Checkpoint c = Checkpoint.open(dir)) {
            return c.fileHashes();
        }
    }

    private static double finite(double margin, String pair, String what) {
        if (!Double.isFinite(margin)) {
            throw new LocusException("pair " + pair, what, "non-finite margin " + margin
                    + ": a model or the intervention produced NaN or infinity", null);
        }
        return margin;
    }

    private static float[][] toFloat(double[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = new float[rows[i].length];
            for (int c = 0; c < rows[i].length; c++) {
                out[i][c] = (float) rows[i][c];
            }
        }
        return out;
    }

    /** Pairs done, rate and ETA of one phase, a line per tenth and at the end. */
    private static final class Progress {
        private final PrintStream log;
        private final String phase;
        private final int total;
        private final long started = System.nanoTime();
        private int done;

        Progress(PrintStream log, String phase, int total) {
            this.log = log;
            this.phase = phase;
            this.total = total;
        }

        void step() {
            done++;
            if (done == total || done % Math.max(1, total / 10) == 0) {
                double seconds = (System.nanoTime() - started) / 1e9;
                double rate = done / seconds;
                log.printf(Locale.ROOT, "locus claims: %s: %d/%d pairs, %.2f pairs/s, ETA %.0f s%n", phase, done, total, rate,
                        (total - done) / rate);
            }
        }
    }
}
