package dev.locus.claims;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
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
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
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
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LayerSweep(String site, double[][] tunedToBase, double[][] baseToTuned) {}

    /** The inputs a measurement is a function of. */
    public record Subject(String name, Path base, Path tuned, Path pairs, Path expectationsFile) {}

    @JsonIgnore
    public int pairs() {
        return pairIds.size();
    }

    public LayerSweep sweep(String site) {
        return sweeps.stream().filter(s -> s.site().equals(site)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no sweep at site " + site));
    }

    /** G(p) = m_T - m_B. */
    @JsonIgnore
    public double[] gains() {
        double[] g = new double[base.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = tuned[i] - base[i];
        }
        return g;
    }

    @JsonIgnore
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

    /**
     * What a measurement will run on, before any model is loaded: the encoded pairs, the split, the
     * device and the provenance.
     */
    public record Plan(Subject subject, Expectations expectations, LlamaConfig config, List<Prompted> pairs, List<Skipped> skipped,
            boolean[] heldOut, Device device, Provenance provenance) {}

    /** One pair's clean margins, its per-layer patched margins ([site][layer], block_out then resid_post) and distances. */
    record LayersUnit(double base, double tuned, double[][] toBase, double[][] toTuned, double[] distances) {}

    /** One pair's dose-response margins at L* and its two controls. */
    record DoseUnit(double[] dose, double noise, double shuffled) {}

    /** The SVD of the fit pairs' differences at L*: the top right singular vectors as patched, the spectrum. */
    record SvdUnit(float[][] top, double[] singularValues, double[] energy) {}

    /** One held-out pair's margins under the top-k subspaces and the random frames. */
    record SubspaceUnit(double[] subspace, double[][] random) {}

    /**
     * Checks the inputs and encodes the pairs: the tokenizers must match, the peak layer (when
     * named) must exist, at least 10 pairs must encode. Hashes every input file.
     */
    public static Plan plan(Subject subject, Expectations expectations) {
        return plan(subject, expectations, Device.cpu());
    }

    /** As {@link #plan(Subject, Expectations)}, running on {@code device}. */
    public static Plan plan(Subject subject, Expectations expectations, Device device) {
        Expectations.Run run = expectations.run();
        requireSameTokenizer(subject.base(), subject.tuned());
        LlamaConfig config = LlamaConfig.read(subject.base());
        if (run.peakLayer() != null && run.peakLayer() >= config.numLayers()) {
            throw new LocusException(subject.expectationsFile(), "run.peak_layer",
                    "layer " + run.peakLayer() + " out of range, the models have layers 0.." + (config.numLayers() - 1));
        }
        List<PreferencePair> sample = PairSampling.stratified(PairsFile.load(subject.pairs()), run.pairs(), run.seed());
        PairSampling.Split split = PairSampling.split(sample, run.heldOutFraction(), run.seed());
        java.util.Set<String> heldIds = new java.util.HashSet<>();
        split.heldOut().forEach(p -> heldIds.add(p.id()));
        List<Prompted> pairs = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        encode(subject, config, sample, pairs, skipped);
        if (pairs.size() < 10) {
            throw new LocusException(subject.pairs(), "pairs", "only " + pairs.size() + " of " + sample.size()
                    + " sampled pairs encode; the claims need at least 10");
        }
        boolean[] heldOut = new boolean[pairs.size()];
        for (int i = 0; i < heldOut.length; i++) {
            heldOut[i] = heldIds.contains(pairs.get(i).id());
        }
        Provenance provenance = Provenance.of("locus claims").seed(run.seed())
                .files("base", hashes(subject.base())).files("tuned", hashes(subject.tuned()))
                .file("pairs", subject.pairs()).file("expectations", subject.expectationsFile())
                .config("subject", subject.name()).config("expectations", expectations.name())
                .config("pairs_requested", run.pairs()).config("held_out_fraction", run.heldOutFraction())
                .config("site", run.site()).config("positions", run.positions()).config("control_seed", run.controlSeed())
                .config("bootstrap_resamples", run.bootstrapResamples()).config("confidence", run.confidence())
                .config("peak_layer", run.peakLayer() == null ? "argmax f_L" : run.peakLayer())
                .config("schedule", "cached").config("format", "raw").config("device", device.isGpu() ? "gpu:" + device.getDeviceId() : device.getDeviceType()).config("pairs_measured", pairs.size())
                .config("pairs_skipped", skipped.isEmpty() ? "none" : skipped.stream().map(k -> k.id() + ": " + k.reason())
                        .collect(java.util.stream.Collectors.joining("; ")))
                .build();
        return new Plan(subject, expectations, config, List.copyOf(pairs), List.copyOf(skipped), heldOut, device, provenance);
    }

    /** Measures a subject under an expectations file's run settings, with progress lines on {@code log}. */
    public static Measurement measure(Subject subject, Expectations expectations, PrintStream log) {
        return measure(plan(subject, expectations), log, Journal.none(), new java.util.LinkedHashMap<>());
    }

    /**
     * Measures a plan, skipping the units {@code journal} holds and recording each one it
     * finishes; {@code timings} receives each phase's wall seconds.
     */
    public static Measurement measure(Plan plan, PrintStream log, Journal journal, java.util.Map<String, Double> timings) {
        Subject subject = plan.subject();
        Expectations expectations = plan.expectations();
        Expectations.Run run = expectations.run();
        List<Prompted> pairs = plan.pairs();
        boolean[] heldOut = plan.heldOut();
        int n = pairs.size();
        int layers = plan.config().numLayers();
        int hidden = plan.config().hiddenSize();
        PatchPositions positions = run.patchPositions();
        try (NDManager root = NDManager.newBaseManager(plan.device());
                LlamaModel baseModel = LlamaModel.load(subject.base(), root);
                LlamaModel tunedModel = LlamaModel.load(subject.tuned(), root)) {
            Sweep sweep = new Sweep(baseModel, tunedModel, Schedule.CACHED);
            List<String> ids = pairs.stream().map(Prompted::id).toList();

            // Phase 1: clean margins, both directions at every layer and both sites, LASSO's distances.
            long started = System.nanoTime();
            List<Sweep.Cell> layerCells = new ArrayList<>();
            for (Point.Site s : List.of(Point.Site.BLOCK_OUT, Point.Site.RESID_POST)) {
                for (int l = 0; l < layers; l++) {
                    layerCells.add(new Sweep.Cell(new Point(s, l), Intervention.replace(positions)));
                }
            }
            double[][] distances = new double[n][];
            dev.locus.Progress progress = progress(log, "layer sweeps", n, n, i -> journal.has("layers/" + ids.get(i)));
            sweep.run(root, pairs, layerCells, List.of(Direction.TUNED_TO_BASE, Direction.BASE_TO_TUNED),
                    i -> !journal.has("layers/" + ids.get(i)),
                    (i, b, t) -> {
                        distances[i] = new double[layers];
                        for (int l = 0; l < layers; l++) {
                            distances[i][l] = Activations.meanDistance(b, t, Point.blockOut(l), PatchPositions.COMPLETION);
                        }
                    },
                    result -> {
                        int i = ids.indexOf(result.id());
                        double[][] toBase = new double[2][layers];
                        double[][] toTuned = new double[2][layers];
                        for (Sweep.Patched p : result.patched()) {
                            int s = p.cell().point().site() == Point.Site.BLOCK_OUT ? 0 : 1;
                            double m = finite(p.margin().margin(), result.id(), p.cell().label());
                            (p.direction() == Direction.TUNED_TO_BASE ? toBase : toTuned)[s][p.cell().point().layer()] = m;
                        }
                        journal.put("layers/" + result.id(), new LayersUnit(finite(result.base().margin(), result.id(), "base margin"),
                                finite(result.tuned().margin(), result.id(), "tuned margin"), toBase, toTuned, distances[i]));
                        progress.step();
                    });
            progress.close();
            double[] base = new double[n];
            double[] tuned = new double[n];
            double[][][] toBase = new double[2][layers][n];
            double[][][] toTuned = new double[2][layers][n];
            for (int i = 0; i < n; i++) {
                LayersUnit u = journal.get("layers/" + ids.get(i), LayersUnit.class);
                base[i] = u.base();
                tuned[i] = u.tuned();
                distances[i] = u.distances();
                for (int s = 0; s < 2; s++) {
                    for (int l = 0; l < layers; l++) {
                        toBase[s][l][i] = u.toBase()[s][l];
                        toTuned[s][l][i] = u.toTuned()[s][l];
                    }
                }
            }
            List<LayerSweep> sweeps = List.of(new LayerSweep("block_out", toBase[0], toTuned[0]),
                    new LayerSweep("resid_post", toBase[1], toTuned[1]));
            LayerSweep primary = sweeps.get(run.site().equals("block_out") ? 0 : 1);
            timings.put("layer_sweeps", (System.nanoTime() - started) / 1e9);

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
            started = System.nanoTime();
            List<Double> alphas = expectations.doseResponse().alphas();
            List<Sweep.Cell> doseCells = new ArrayList<>();
            for (double a : alphas) {
                doseCells.add(new Sweep.Cell(peakPoint, Intervention.interpolate(a, positions)));
            }
            doseCells.add(new Sweep.Cell(peakPoint, new Intervention.Noise(1, run.controlSeed(), positions)));
            doseCells.add(new Sweep.Cell(peakPoint, new Intervention.Shuffled(1, run.controlSeed(), positions)));
            boolean svdDone = journal.has("svd");
            float[][][] differenceRows = new float[n][][];
            Sweep.CleanRunObserver differences = (i, b, t) -> {
                if (!svdDone && !heldOut[i]) {
                    differenceRows[i] = Activations.differences(b, t, peakPoint, positions);
                }
            };
            dev.locus.Progress doseProgress = progress(log, "dose-response and controls at " + peakPoint, n, n, i -> journal.has("dose/" + ids.get(i)));
            sweep.run(root, pairs, doseCells, List.of(Direction.TUNED_TO_BASE), i -> !journal.has("dose/" + ids.get(i)), differences,
                    result -> {
                        double[] dose = new double[alphas.size()];
                        double[] controls = new double[2];
                        for (int c = 0; c < doseCells.size(); c++) {
                            double m = finite(result.patched().get(c).margin().margin(), result.id(), doseCells.get(c).label());
                            if (c < alphas.size()) {
                                dose[c] = m;
                            } else {
                                controls[c - alphas.size()] = m;
                            }
                        }
                        journal.put("dose/" + result.id(), new DoseUnit(dose, controls[0], controls[1]));
                        doseProgress.step();
                    });
            doseProgress.close();
            double[][] dose = new double[alphas.size()][n];
            double[] noise = new double[n];
            double[] shuffled = new double[n];
            for (int i = 0; i < n; i++) {
                DoseUnit u = journal.get("dose/" + ids.get(i), DoseUnit.class);
                for (int a = 0; a < alphas.size(); a++) {
                    dose[a][i] = u.dose()[a];
                }
                noise[i] = u.noise();
                shuffled[i] = u.shuffled();
            }
            timings.put("dose_and_controls", (System.nanoTime() - started) / 1e9);

            // Phase 3: the SVD of the fit pairs' differences (their clean runs again where a resumed run lacks them).
            started = System.nanoTime();
            if (!svdDone) {
                sweep.run(root, pairs, List.of(), List.of(), i -> !heldOut[i] && differenceRows[i] == null, differences, r -> { });
                List<float[]> rows = new ArrayList<>();
                for (float[][] pair : differenceRows) {
                    if (pair != null) {
                        rows.addAll(List.of(pair));
                    }
                }
                log.printf(Locale.ROOT, "locus claims: SVD of %d x %d differences at %s%n", rows.size(), hidden, peakPoint);
                double[][] stacked = new double[rows.size()][];
                for (int r = 0; r < stacked.length; r++) {
                    float[] row = rows.get(r);
                    stacked[r] = new double[row.length];
                    for (int c = 0; c < row.length; c++) {
                        stacked[r][c] = row[c];
                    }
                }
                Svd svd = Svd.of(stacked);
                int keep = expectations.lowRank().ranks().stream().mapToInt(Integer::intValue)
                        .filter(k -> k < Math.min(hidden, stacked.length)).max().orElse(0);
                journal.put("svd", new SvdUnit(keep == 0 ? new float[0][] : toFloat(svd.top(keep)), svd.singularValues(),
                        svd.energyFraction()));
            }
            SvdUnit svd = journal.get("svd", SvdUnit.class);
            timings.put("svd", (System.nanoTime() - started) / 1e9);

            // Phase 4: the rank-k subspaces of the difference, and random k-frames, on the held-out pairs.
            started = System.nanoTime();
            int[] ranks = expectations.lowRank().ranks().stream().mapToInt(Integer::intValue).filter(k -> k <= svd.top().length).toArray();
            int draws = expectations.lowRank().randomDraws();
            List<Sweep.Cell> subspaceCells = new ArrayList<>();
            for (int k : ranks) {
                subspaceCells.add(new Sweep.Cell(peakPoint, Intervention.subspace(java.util.Arrays.copyOf(svd.top(), k), 1, positions)));
            }
            for (int k : ranks) {
                for (int d = 0; d < draws; d++) {
                    long seed = run.controlSeed() * 1_000_003L + k * 101L + d;
                    subspaceCells.add(new Sweep.Cell(peakPoint, Intervention.subspace(toFloat(Svd.randomFrame(k, hidden, seed)), 1, positions)));
                }
            }
            int heldCount = 0;
            for (boolean h : heldOut) {
                heldCount += h ? 1 : 0;
            }
            dev.locus.Progress subspaceProgress = progress(log, "subspace patches at " + peakPoint, heldCount, n,
                    i -> heldOut[i] && journal.has("subspace/" + ids.get(i)));
            sweep.run(root, pairs, subspaceCells, List.of(Direction.TUNED_TO_BASE),
                    i -> heldOut[i] && !journal.has("subspace/" + ids.get(i)), Sweep.CleanRunObserver.NONE, result -> {
                        double[] subspace = new double[ranks.length];
                        double[][] random = new double[ranks.length][draws];
                        for (int c = 0; c < subspaceCells.size(); c++) {
                            double m = finite(result.patched().get(c).margin().margin(), result.id(), subspaceCells.get(c).label());
                            if (c < ranks.length) {
                                subspace[c] = m;
                            } else {
                                random[(c - ranks.length) / draws][(c - ranks.length) % draws] = m;
                            }
                        }
                        journal.put("subspace/" + result.id(), new SubspaceUnit(subspace, random));
                        subspaceProgress.step();
                    });
            subspaceProgress.close();
            double[][] subspace = new double[ranks.length][heldCount];
            double[][][] random = new double[ranks.length][draws][heldCount];
            int h = 0;
            for (int i = 0; i < n; i++) {
                if (!heldOut[i]) {
                    continue;
                }
                SubspaceUnit u = journal.get("subspace/" + ids.get(i), SubspaceUnit.class);
                for (int r = 0; r < ranks.length; r++) {
                    subspace[r][h] = u.subspace()[r];
                    for (int d = 0; d < draws; d++) {
                        random[r][d][h] = u.random()[r][d];
                    }
                }
                h++;
            }
            timings.put("subspace_patches", (System.nanoTime() - started) / 1e9);
            return new Measurement(plan.provenance(), layers, hidden, ids, heldOut, plan.skipped(), base, tuned, sweeps,
                    peak, chosenBy, alphas.stream().mapToDouble(Double::doubleValue).toArray(), dose, noise, shuffled, ranks,
                    subspace, random, svd.singularValues(), svd.energy(), distances);
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

    /** A phase's progress, counting the pairs whose unit the journal already holds as done. */
    private static dev.locus.Progress progress(PrintStream log, String phase, int total, int pairs, java.util.function.IntPredicate journaled) {
        long resumed = java.util.stream.IntStream.range(0, pairs).filter(journaled).count();
        if (resumed > 0) {
            log.printf(Locale.ROOT, "locus claims: %s: %d/%d pairs already in the journal%n", phase, resumed, total);
        }
        return dev.locus.Progress.of("locus claims: " + phase, total, resumed);
    }
}
