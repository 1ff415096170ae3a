package dev.locus.measure;

import dev.locus.Progress;
import dev.locus.analysis.Svd;
import dev.locus.model.Point;
import dev.locus.model.Tokenizer;
import dev.locus.patching.Direction;
import dev.locus.patching.PatchPositions;
import dev.locus.patching.Prompted;
import dev.locus.patching.Sweep;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Runs a plan's protocol, phase after phase, its per-pair work on a {@link Runner}: the layer sweeps
 * (with every pair's clean margins and LASSO's distances), L* from them, the dose-response and
 * controls at L* (reading the fit pairs' differences on the way), their SVD, and the subspace
 * patches. L* and the SVD are computed here. Every unit that comes back goes to the journal as it
 * arrives; units the journal holds are not run again.
 */
final class Phases {
    private final Plan plan;
    private final Runner runner;
    private final Journal journal;
    private final PrintStream log;
    private final Map<String, Double> timings;
    private final List<String> ids;

    private Phases(Plan plan, Runner runner, Journal journal, PrintStream log, Map<String, Double> timings) {
        this.plan = plan;
        this.runner = runner;
        this.journal = journal;
        this.log = log;
        this.timings = timings;
        this.ids = plan.pairs().stream().map(Prompted::id).toList();
    }

    static Measurement measure(Plan plan, Runner runner, PrintStream log, Journal journal, Map<String, Double> timings) {
        Protocol protocol = plan.protocol();
        Run run = protocol.run();
        int layers = plan.config().numLayers();
        int hidden = plan.config().hiddenSize();
        PatchPositions positions = run.positions();
        Phases phases = new Phases(plan, runner, journal, log, timings);

        PhaseUnits swept = phases.run(PairWork.of(new PhaseSpec.LayerSweeps(layers, positions)), null);
        List<Measurement.LayerSweep> sweeps = Phase.SWEPT_SITES.stream().map(site -> new Measurement.LayerSweep(site,
                swept.byLayer(Direction.TUNED_TO_BASE, site, layers), swept.byLayer(Direction.BASE_TO_TUNED, site, layers))).toList();
        double[] clean = swept.base();
        Measurement.LayerSweep primary = sweeps.stream().filter(s -> s.site() == run.site()).findFirst().orElseThrow();
        int peak = run.peakLayer() != null ? run.peakLayer() : Measurement.argmaxTransfer(primary.tunedToBase(), clean);
        Point at = new Point(run.site(), peak);

        float[][][] differences = new float[plan.pairs().size()][][];
        boolean svdNeeded = !journal.has(PhaseName.SVD.unit());
        PhaseSpec doseSpec = new PhaseSpec.DoseAndControls(at, protocol.doseAlphas(), run.controlSeed(), positions);
        PhaseUnits dose = phases.run(svdNeeded ? new PairWork(doseSpec, at, positions) : PairWork.of(doseSpec), differences);
        SvdUnit svd = phases.svd(differences, protocol.ranks(), hidden, at, positions);
        int[] ranks = protocol.ranks().stream().mapToInt(Integer::intValue).filter(k -> k <= svd.top().length).toArray();
        PhaseUnits subspace = phases.run(PairWork.of(new PhaseSpec.Subspaces(at, svd.top(), ranks, protocol.randomDraws(), hidden,
                run.controlSeed(), positions)), null);
        Protocol.Steering steer = protocol.steering();
        int steerRank = Math.min(steer.rank(), svd.top().length);
        float[] projected = projection(svd.meanDifference(), svd.top(), steerRank);
        PhaseUnits steered = phases.run(PairWork.of(new PhaseSpec.Steering(at, svd.meanDifference(), projected, steer.scales(),
                steer.randomDraws(), run.controlSeed(), positions)), null);

        List<Measurement.Dose> doseCurve = protocol.doseAlphas().stream()
                .map(a -> new Measurement.Dose(a, dose.margins(Direction.TUNED_TO_BASE, new MarginKey.Dose(a)))).toList();
        List<Measurement.RankPatches> patches = IntStream.of(ranks).mapToObj(k -> new Measurement.RankPatches(k,
                subspace.margins(Direction.TUNED_TO_BASE, new MarginKey.Top(k)), IntStream.range(0, protocol.randomDraws())
                        .mapToObj(d -> subspace.margins(Direction.TUNED_TO_BASE, new MarginKey.RandomFrame(k, d))).toList())).toList();
        return new Measurement(layers, hidden, new Measurement.Sample(phases.ids, plan.heldOut(), plan.skipped()),
                new Measurement.LayerSweeps(clean, swept.tuned(), sweeps, swept.readouts()),
                new Measurement.Peak(peak, run.peakLayer() != null ? Measurement.Peak.BY_EXPECTATIONS : Measurement.Peak.BY_ARGMAX),
                new Measurement.DoseAndControls(doseCurve, dose.margins(Direction.TUNED_TO_BASE, MarginKey.Control.NOISE),
                        dose.margins(Direction.TUNED_TO_BASE, MarginKey.Control.NOISE_MIRRORED),
                        dose.margins(Direction.TUNED_TO_BASE, MarginKey.Control.SHUFFLED)),
                new Measurement.Spectrum(svd.singularValues(), svd.energy()), new Measurement.Subspaces(patches),
                steering(steered, steer, svd.meanDifference(), steerRank, projected), phases.shown(at, svd.meanDifference(), protocol));
    }

    private static Measurement.Steering steering(PhaseUnits units, Protocol.Steering steer, float[] meanDifference, int rank,
            float[] projected) {
        Direction d = Direction.TUNED_TO_BASE;
        List<Measurement.Steered> scales = steer.scales().stream().map(c -> new Measurement.Steered(c,
                units.margins(d, new MarginKey.Steered(MarginKey.SteeringVector.MEAN_DIFFERENCE, c)),
                units.margins(d, new MarginKey.Steered(MarginKey.SteeringVector.PROJECTED, c)),
                IntStream.range(0, steer.randomDraws()).mapToObj(draw -> units.margins(d, new MarginKey.SteeredRandom(draw, c))).toList(),
                units.completionMeans(d, new MarginKey.Steered(MarginKey.SteeringVector.MEAN_DIFFERENCE, c)))).toList();
        return new Measurement.Steering(meanDifference, rank, projected, units.baseCompletionMeans(), scales);
    }

    /** {@code v} on the span of the first {@code k} of the orthonormal rows {@code basis}. */
    private static float[] projection(float[] v, float[][] basis, int k) {
        double[] out = new double[v.length];
        for (int i = 0; i < k; i++) {
            double dot = 0;
            for (int c = 0; c < v.length; c++) {
                dot += (double) basis[i][c] * v[c];
            }
            for (int c = 0; c < v.length; c++) {
                out[c] += dot * basis[i][c];
            }
        }
        float[] f = new float[v.length];
        for (int c = 0; c < v.length; c++) {
            f[c] = (float) out[c];
        }
        return f;
    }

    /**
     * The SVD of the fit pairs' differences at L*: the top right singular vectors as patched, the
     * spectrum, and the rows' mean (the difference-of-means steering vector).
     */
    record SvdUnit(float[][] top, double[] singularValues, double[] energy, float[] meanDifference) {}

    /**
     * Runs one per-pair phase over the pairs it covers that the journal lacks, journaling each unit
     * as it comes back (and keeping the differences rows it brings in {@code differences}), then
     * reads every covered pair's unit back.
     */
    private PhaseUnits run(PairWork work, float[][][] differences) {
        return new PhaseUnits(run(work, differences, PairOutcome::unit, PairUnit.class));
    }

    /** As above, each pair's unit being what {@code unitOf} takes from its outcome, journaled as a {@code type}. */
    private <T> List<T> run(PairWork work, float[][][] differences, Function<PairOutcome, T> unitOf, Class<T> type) {
        long started = System.nanoTime();
        Phase phase = Phase.of(work.phase());
        boolean[] heldOut = plan.heldOut();
        IntPredicate covered = i -> phase.coverage().covers(i, heldOut);
        IntPredicate journaled = i -> journal.has(phase.name().unit(ids.get(i)));
        List<Point> points = phase.cells().values().stream().map(Sweep.Cell::point).distinct().toList();
        String title = phase.name().title() + (points.size() == 1 ? " at " + points.get(0) : "");
        Progress progress = progress(title, covered, journaled);
        int[] todo = IntStream.range(0, ids.size()).filter(i -> covered.test(i) && !journaled.test(i)).toArray();
        runner.run(work, todo, outcome -> {
            journal.put(phase.name().unit(ids.get(outcome.index())), unitOf.apply(outcome));
            if (differences != null) {
                differences[outcome.index()] = outcome.differences();
            }
            progress.step();
        });
        progress.close();
        List<T> units = IntStream.range(0, ids.size()).filter(covered).mapToObj(i -> journal.get(phase.name().unit(ids.get(i)), type))
                .toList();
        timings.put(phase.name().timing(), (System.nanoTime() - started) / 1e9);
        return units;
    }

    /**
     * The continuations the report shows, as text: each shown pair's prompt and what the base, the
     * base steered with weight 1 and the tuned model continue it with, read by the base's tokenizer.
     * None when the protocol asks for none (a benchmark's random checkpoints have no tokenizer).
     */
    private List<Measurement.Continued> shown(Point at, float[] vector, Protocol protocol) {
        if (protocol.continuationTokens() == 0) {
            return List.of();
        }
        List<Continuations> runs = run(PairWork.of(new PhaseSpec.Continuations(at.layer(), vector, protocol.continuationTokens())), null,
                PairOutcome::continuations, Continuations.class);
        boolean[] heldOut = plan.heldOut();
        int[] pairs = IntStream.range(0, ids.size()).filter(i -> Phase.Coverage.SHOWN_HELD_OUT_PAIRS.covers(i, heldOut)).toArray();
        List<Measurement.Continued> out = new ArrayList<>();
        try (Tokenizer tokenizer = Tokenizer.load(plan.subject().base())) {
            for (int p = 0; p < pairs.length; p++) {
                Continuations c = runs.get(p);
                out.add(new Measurement.Continued(ids.get(pairs[p]), tokenizer.decode(plan.pairs().get(pairs[p]).prompt()),
                        tokenizer.decode(c.base()), tokenizer.decode(c.steered()), tokenizer.decode(c.tuned())));
            }
        }
        return out;
    }

    /**
     * The SVD of the fit pairs' differences at L*, from the rows the dose phase brought back (a
     * resumed run reruns the clean runs of the fit pairs it lacks), keeping the top vectors of the
     * largest rank below both the hidden size and the number of rows.
     */
    private SvdUnit svd(float[][][] differences, List<Integer> ranks, int hidden, Point at, PatchPositions positions) {
        long started = System.nanoTime();
        if (!journal.has(PhaseName.SVD.unit())) {
            boolean[] heldOut = plan.heldOut();
            int[] missing = IntStream.range(0, differences.length).filter(i -> !heldOut[i] && differences[i] == null).toArray();
            runner.run(new PairWork(new PhaseSpec.CleanRunsOnly(), at, positions), missing,
                    outcome -> differences[outcome.index()] = outcome.differences());
            double[][] stacked = stacked(differences);
            log.printf(Locale.ROOT, "locus measure: SVD of %d x %d differences at %s%n", stacked.length, hidden, at);
            Svd svd = Svd.of(stacked);
            int keep = ranks.stream().mapToInt(Integer::intValue).filter(k -> k < Math.min(hidden, stacked.length)).max().orElse(0);
            journal.put(PhaseName.SVD.unit(), new SvdUnit(keep == 0 ? new float[0][] : Phase.toFloat(svd.top(keep)),
                    svd.singularValues(), svd.energyFraction(), mean(stacked, hidden)));
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

    /** The mean of the rows. */
    private static float[] mean(double[][] rows, int hidden) {
        double[] sum = new double[hidden];
        for (double[] row : rows) {
            for (int c = 0; c < hidden; c++) {
                sum[c] += row[c];
            }
        }
        float[] out = new float[hidden];
        for (int c = 0; c < hidden; c++) {
            out[c] = (float) (sum[c] / rows.length);
        }
        return out;
    }

    /** The fit pairs' rows, pair after pair in plan order, widened. */
    private static double[][] stacked(float[][][] rows) {
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
