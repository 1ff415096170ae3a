package dev.locus.measure;

import ai.djl.ndarray.NDManager;
import dev.locus.LocusException;
import dev.locus.Progress;
import dev.locus.analysis.Svd;
import dev.locus.model.Decoder;
import dev.locus.model.Point;
import dev.locus.patching.Activations;
import dev.locus.patching.CleanRun;
import dev.locus.patching.Direction;
import dev.locus.patching.PatchPositions;
import dev.locus.patching.Prompted;
import dev.locus.patching.Schedule;
import dev.locus.patching.Sweep;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Runs a plan's protocol, phase after phase, with both models loaded once: the layer sweeps (with
 * every pair's clean margins and LASSO's distances), L* from them, the dose-response and controls at
 * L* (reading the fit pairs' differences on the way), their SVD, and the subspace patches. Every
 * finished unit goes to the journal before the next starts; units the journal holds are not rerun.
 */
final class Phases {
    private final Plan plan;
    private final NDManager root;
    private final Sweep sweep;
    private final Journal journal;
    private final PrintStream log;
    private final Map<String, Double> timings;
    private final List<String> ids;

    private Phases(Plan plan, NDManager root, Sweep sweep, Journal journal, PrintStream log, Map<String, Double> timings) {
        this.plan = plan;
        this.root = root;
        this.sweep = sweep;
        this.journal = journal;
        this.log = log;
        this.timings = timings;
        this.ids = plan.pairs().stream().map(Prompted::id).toList();
    }

    static Measurement measure(Plan plan, PrintStream log, Journal journal, Map<String, Double> timings) {
        Protocol protocol = plan.protocol();
        Run run = protocol.run();
        int layers = plan.config().numLayers();
        int hidden = plan.config().hiddenSize();
        PatchPositions positions = run.positions();
        try (NDManager root = NDManager.newBaseManager(plan.device());
                Decoder.Pair pair = Decoder.loadPair(plan.subject().base(), plan.subject().tuned(), root)) {
            Decoder base = pair.first();
            Decoder tuned = pair.second();
            Phases phases = new Phases(plan, root, new Sweep(base, tuned, Schedule.CACHED), journal, log, timings);

            PhaseUnits swept = phases.run(Phase.layerSweeps(layers, positions), Sweep.CleanRunObserver.NONE);
            List<Measurement.LayerSweep> sweeps = Phase.SWEPT_SITES.stream().map(site -> new Measurement.LayerSweep(site,
                    swept.byLayer(Direction.TUNED_TO_BASE, site, layers), swept.byLayer(Direction.BASE_TO_TUNED, site, layers))).toList();
            double[] clean = swept.base();
            Measurement.LayerSweep primary = sweeps.stream().filter(s -> s.site() == run.site()).findFirst().orElseThrow();
            int peak = run.peakLayer() != null ? run.peakLayer() : Measurement.argmaxTransfer(primary.tunedToBase(), clean);
            Point at = new Point(run.site(), peak);

            FitDifferences differences = new FitDifferences(plan.heldOut(), at, positions, !journal.has(PhaseName.SVD.unit()));
            PhaseUnits dose = phases.run(Phase.doseAndControls(at, protocol.doseAlphas(), run.controlSeed(), positions), differences);
            SvdUnit svd = phases.svd(differences, protocol.ranks(), hidden, at);
            int[] ranks = protocol.ranks().stream().mapToInt(Integer::intValue).filter(k -> k <= svd.top().length).toArray();
            PhaseUnits subspace = phases.run(Phase.subspaces(at, svd.top(), ranks, protocol.randomDraws(), hidden, run.controlSeed(),
                    positions), Sweep.CleanRunObserver.NONE);

            double[][] doseMargins = protocol.doseAlphas().stream().map(a -> dose.margins(Direction.TUNED_TO_BASE, Phase.alpha(a)))
                    .toArray(double[][]::new);
            double[][] top = IntStream.of(ranks).mapToObj(k -> subspace.margins(Direction.TUNED_TO_BASE, Phase.top(k)))
                    .toArray(double[][]::new);
            double[][][] random = IntStream.of(ranks).mapToObj(k -> IntStream.range(0, protocol.randomDraws())
                    .mapToObj(d -> subspace.margins(Direction.TUNED_TO_BASE, Phase.random(k, d))).toArray(double[][]::new))
                    .toArray(double[][][]::new);
            return new Measurement(layers, hidden, phases.ids, plan.heldOut(), plan.skipped(), clean, swept.tuned(), sweeps, peak,
                    run.peakLayer() != null ? Measurement.PEAK_BY_EXPECTATIONS : Measurement.PEAK_BY_ARGMAX,
                    protocol.doseAlphas().stream().mapToDouble(Double::doubleValue).toArray(), doseMargins,
                    dose.margins(Direction.TUNED_TO_BASE, Phase.NOISE), dose.margins(Direction.TUNED_TO_BASE, Phase.NOISE_MIRRORED),
                    dose.margins(Direction.TUNED_TO_BASE, Phase.SHUFFLED),
                    ranks, top, random, svd.singularValues(), svd.energy(), swept.readouts());
        }
    }

    /** The SVD of the fit pairs' differences at L*: the top right singular vectors as patched, and the spectrum. */
    record SvdUnit(float[][] top, double[] singularValues, double[] energy) {}

    /** Runs one per-pair phase over the pairs it covers that the journal lacks, then reads every covered pair's unit back. */
    private PhaseUnits run(Phase phase, Sweep.CleanRunObserver alsoObserving) {
        long started = System.nanoTime();
        boolean[] heldOut = plan.heldOut();
        IntPredicate covered = i -> phase.coverage().covers(heldOut[i]);
        IntPredicate journaled = i -> journal.has(phase.name().unit(ids.get(i)));
        List<Point> points = phase.cells().values().stream().map(Sweep.Cell::point).distinct().toList();
        String title = phase.name().title() + (points.size() == 1 ? " at " + points.get(0) : "");
        Progress progress = progress(title, covered, journaled);
        Map<Sweep.Cell, String> keyOf = new IdentityHashMap<>();
        phase.cells().forEach((key, cell) -> keyOf.put(cell, key));
        double[][] readouts = new double[ids.size()][];
        Sweep.CleanRunObserver observer = (i, base, tuned) -> {
            readouts[i] = phase.readout().read(base, tuned);
            alsoObserving.observe(i, base, tuned);
        };
        sweep.run(root, plan.pairs(), List.copyOf(phase.cells().values()), phase.directions(),
                i -> covered.test(i) && !journaled.test(i), observer, result -> {
                    Map<String, Double> margins = new LinkedHashMap<>();
                    for (Sweep.Patched p : result.patched()) {
                        margins.put(Phase.marginKey(p.direction(), keyOf.get(p.cell())),
                                finite(p.margin().margin(), result.id(), p.direction().label() + " " + p.cell().label()));
                    }
                    journal.put(phase.name().unit(result.id()), new Phase.PairUnit(finite(result.base().margin(), result.id(), "base margin"),
                            finite(result.tuned().margin(), result.id(), "tuned margin"), margins, readouts[ids.indexOf(result.id())]));
                    progress.step();
                });
        progress.close();
        List<Phase.PairUnit> units = IntStream.range(0, ids.size()).filter(covered)
                .mapToObj(i -> journal.get(phase.name().unit(ids.get(i)), Phase.PairUnit.class)).toList();
        timings.put(phase.name().timing(), (System.nanoTime() - started) / 1e9);
        return new PhaseUnits(units);
    }

    /**
     * The SVD of the fit pairs' differences at L*, from the rows the dose phase read (a resumed run
     * reruns the clean runs of the fit pairs it lacks), keeping the top vectors of the largest rank
     * below both the hidden size and the number of rows.
     */
    private SvdUnit svd(FitDifferences differences, List<Integer> ranks, int hidden, Point at) {
        long started = System.nanoTime();
        if (!journal.has(PhaseName.SVD.unit())) {
            sweep.run(root, plan.pairs(), List.of(), List.of(), differences.missing(), differences, r -> { });
            double[][] stacked = differences.stacked();
            log.printf(Locale.ROOT, "locus measure: SVD of %d x %d differences at %s%n", stacked.length, hidden, at);
            Svd svd = Svd.of(stacked);
            int keep = ranks.stream().mapToInt(Integer::intValue).filter(k -> k < Math.min(hidden, stacked.length)).max().orElse(0);
            journal.put(PhaseName.SVD.unit(), new SvdUnit(keep == 0 ? new float[0][] : Phase.toFloat(svd.top(keep)),
                    svd.singularValues(), svd.energyFraction()));
        }
        timings.put(PhaseName.SVD.timing(), (System.nanoTime() - started) / 1e9);
        return journal.get(PhaseName.SVD.unit(), SvdUnit.class);
    }

    /** A phase's progress, counting the covered pairs whose unit the journal already holds as done. */
    private Progress progress(String title, IntPredicate covered, IntPredicate journaled) {
        long total = IntStream.range(0, ids.size()).filter(covered).count();
        long resumed = IntStream.range(0, ids.size()).filter(i -> covered.test(i) && journaled.test(i)).count();
        if (resumed > 0) {
            log.printf(Locale.ROOT, "locus measure: %s: %d/%d pairs already in the journal%n", title, resumed, total);
        }
        return Progress.of("locus measure: " + title, total, resumed);
    }

    private static double finite(double margin, String pair, String what) {
        if (!Double.isFinite(margin)) {
            throw new LocusException("pair " + pair, what, "non-finite margin " + margin
                    + ": a model or the intervention produced NaN or infinity", null);
        }
        return margin;
    }

    /** The fit pairs' tuned-minus-base rows at L*, read while a phase's clean runs are alive. */
    private static final class FitDifferences implements Sweep.CleanRunObserver {
        private final boolean[] heldOut;
        private final Point at;
        private final PatchPositions positions;
        private final boolean needed;
        private final float[][][] rows;

        FitDifferences(boolean[] heldOut, Point at, PatchPositions positions, boolean needed) {
            this.heldOut = heldOut;
            this.at = at;
            this.positions = positions;
            this.needed = needed;
            this.rows = new float[heldOut.length][][];
        }

        @Override
        public void observe(int pairIndex, CleanRun base, CleanRun tuned) {
            if (needed && !heldOut[pairIndex]) {
                rows[pairIndex] = Activations.differences(base, tuned, at, positions);
            }
        }

        /** The fit pairs whose rows were not read (their dose units came from the journal). */
        IntPredicate missing() {
            return i -> !heldOut[i] && rows[i] == null;
        }

        double[][] stacked() {
            List<double[]> out = new ArrayList<>();
            for (float[][] pair : rows) {
                if (pair == null) {
                    continue;
                }
                for (float[] row : pair) {
                    double[] d = new double[row.length];
                    for (int c = 0; c < row.length; c++) {
                        d[c] = row[c];
                    }
                    out.add(d);
                }
            }
            return out.toArray(double[][]::new);
        }
    }
}
