package dev.locus.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.locus.LocusException;
import dev.locus.model.DecoderConfig;
import dev.locus.model.Decoder;
import dev.locus.model.Meter;
import dev.locus.model.Numerics;
import dev.locus.model.Point;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Layers x interventions x pairs, in one or both directions. Each model runs once per pair (its
 * clean run is cached and serves as recipient in one direction and donor in the other), and every
 * patched run starts at the patched layer. Block evaluations are counted, so the saving is a
 * number: a full N-layer {@code resid_post} sweep of one direction costs 2 + (N-1)/2
 * forward-equivalents per pair under {@link Schedule#CACHED}.
 */
public final class Sweep {
    /** One intervention at one point. */
    public record Cell(Point point, Intervention intervention) {
        public String label() {
            return point.name() + " " + intervention.describe();
        }
    }

    /** One patched margin of a pair. */
    public record Patched(Direction direction, Cell cell, Margin margin) {}

    /**
     * A pair's clean margins, its patched margins, and what they cost: block evaluations and
     * token-blocks (rows x blocks) across both models, and the token-blocks of one clean cached run
     * of the pair, the unit of a forward-equivalent.
     */
    public record PairResult(String id, Prompted tokens, Margin base, Margin tuned, List<Patched> patched,
            long blockEvaluations, long tokenBlocks, long forwardTokenBlocks) {
        public double forwardEquivalents() {
            return (double) tokenBlocks / forwardTokenBlocks;
        }
    }

    /**
     * Sees both clean runs of each pair while their activations are alive (inside the pair's unit
     * of work), before any patched run: the place to read activations out, e.g. through
     * {@link Activations}. Whatever it keeps must be copied out of the runs.
     */
    @FunctionalInterface
    public interface CleanRunObserver {
        CleanRunObserver NONE = (index, base, tuned) -> { };

        void observe(int pairIndex, CleanRun base, CleanRun tuned);
    }

    private final Decoder base;
    private final Decoder tuned;
    private final Schedule schedule;

    public Sweep(Decoder base, Decoder tuned, Schedule schedule) {
        requireCompatible(base, tuned);
        this.base = base;
        this.tuned = tuned;
        this.schedule = schedule;
    }

    public Decoder base() {
        return base;
    }

    public Decoder tuned() {
        return tuned;
    }

    /**
     * Patching needs the same family (the same point names mean the same computation), residual
     * stream and vocabulary in both models.
     */
    public static void requireCompatible(Decoder a, Decoder b) {
        DecoderConfig x = a.config();
        DecoderConfig y = b.config();
        if (x.family() != y.family()) {
            throw new ModelMismatchException(b.source(), "model_type", "\"" + y.family().modelType() + "\" differs from the other "
                    + "model's \"" + x.family().modelType() + "\": patching needs two checkpoints of one family");
        }
        check(x.hiddenSize(), y.hiddenSize(), "hidden_size", b);
        check(x.numLayers(), y.numLayers(), "num_hidden_layers", b);
        check(x.vocabSize(), y.vocabSize(), "vocab_size", b);
    }

    private static void check(int expected, int found, String field, Decoder other) {
        if (expected != found) {
            throw new ModelMismatchException(other.source(), field,
                    found + " differs from the other model's " + expected + ": patching needs the same residual stream and vocabulary");
        }
    }

    /**
     * Sweeps every pair, handing each result to {@code sink} as soon as it is complete (a failure
     * on a later pair loses none of them). {@code mean} cells first take the dataset mean of the
     * recipient's activations at their point over all pairs, and {@code shuffled} cells take their
     * targets from another pair (a seeded derangement).
     */
    public void run(NDManager parent, List<Prompted> pairs, List<Cell> cells, List<Direction> directions,
            Consumer<PairResult> sink) {
        run(parent, pairs, cells, directions, CleanRunObserver.NONE, sink);
    }

    /** As {@link #run(NDManager, List, List, List, Consumer)}, showing each pair's clean runs to {@code observer} first. */
    public void run(NDManager parent, List<Prompted> pairs, List<Cell> cells, List<Direction> directions,
            CleanRunObserver observer, Consumer<PairResult> sink) {
        run(parent, pairs, cells, directions, i -> true, observer, sink);
    }

    /**
     * As above, running only the pairs whose index {@code include} accepts (a resumed run skips
     * the finished ones). The others still count where every pair does: the dataset means and the
     * shuffled partners, so a pair's numbers do not depend on which others ran.
     */
    public void run(NDManager parent, List<Prompted> pairs, List<Cell> cells, List<Direction> directions,
            java.util.function.IntPredicate include, CleanRunObserver observer, Consumer<PairResult> sink) {
        int layers = base.config().numLayers();
        cells.forEach(c -> c.point().checkedFor(layers));
        for (Prompted pair : pairs) {
            if (pair.completions().size() != 2) {
                throw new IllegalArgumentException(pair.id() + ": a preference pair has a chosen and a rejected completion");
            }
        }
        Map<Direction, Map<Point, float[]>> means = new EnumMap<>(Direction.class);
        for (Direction d : directions) {
            means.put(d, meansNeeded(parent, pairs, cells, recipient(d)));
        }
        int[] shuffledPartner = derangement(pairs.size(), cells);
        for (int i = 0; i < pairs.size(); i++) {
            if (!include.test(i)) {
                continue;
            }
            Prompted pair = pairs.get(i);
            Meter.Reading before = metered();
            List<Patched> patched = new ArrayList<>();
            Margin baseMargin;
            Margin tunedMargin;
            try (NDManager work = parent.newSubManager()) {
                Map<Decoder, CleanRun> clean = new HashMap<>();
                clean.put(base, CleanRun.of(base, work, pair, schedule));
                clean.put(tuned, CleanRun.of(tuned, work, pair, schedule));
                baseMargin = margin(clean.get(base));
                tunedMargin = margin(clean.get(tuned));
                observer.observe(i, clean.get(base), clean.get(tuned));
                Map<Decoder, CleanRun> partner = new HashMap<>();
                for (Direction direction : directions) {
                    Decoder recipient = recipient(direction);
                    Decoder donor = recipient == base ? tuned : base;
                    Patcher patcher = new Patcher(recipient);
                    List<Patcher.Job> jobs = new ArrayList<>();
                    List<List<float[]>> scored;
                    try {
                        for (Cell cell : cells) {
                            CleanRun shuffled = null;
                            if (cell.intervention() instanceof Intervention.Shuffled) {
                                Prompted other = pairs.get(shuffledPartner[i]);
                                shuffled = partner.computeIfAbsent(donor, m -> CleanRun.of(m, work, other, schedule));
                            }
                            Patcher.Targets targets = new Patcher.Targets(clean.get(donor), shuffled,
                                    means.get(direction).get(cell.point()));
                            jobs.add(new Patcher.Job(clean.get(recipient), cell.point(), cell.intervention(), targets));
                        }
                        scored = Scoring.resolve(recipient, patcher.pending(jobs));
                    } catch (Numerics.NonFiniteException e) {
                        throw new Numerics.NonFiniteException("pair " + pair.id(), direction.label() + " "
                                + cells.stream().map(Cell::label).toList(), "a patched run produced a non-finite value although both "
                                + "clean runs were finite: the intervention overflowed (" + e.getMessage() + ")");
                    }
                    for (int c = 0; c < cells.size(); c++) {
                        patched.add(new Patched(direction, cells.get(c), Margin.of(scored.get(c).get(0), scored.get(c).get(1))));
                    }
                }
            }
            long forward = (long) layers * (pair.boundary() + pair.completions().stream().mapToLong(c -> c.length).sum());
            Meter.Reading cost = metered().since(before);
            sink.accept(new PairResult(pair.id(), pair, baseMargin, tunedMargin, List.copyOf(patched),
                    cost.blockEvaluations(), cost.tokenBlocks(), forward));
        }
    }

    /** Both models' meters together. */
    private Meter.Reading metered() {
        return base.metered().plus(tuned.metered());
    }

    /** One pair's margins when a donor's activations are patched into a recipient: the recipient's, the donor's, and per cell the patched one. */
    public record Donation(Prompted tokens, Margin recipient, Margin donor, List<Margin> patched) {}

    /**
     * Patches {@code donor}'s activations into {@code recipient} at each cell, pair by pair, one
     * way. It is the sweep's tuned->base direction with the recipient as base and the donor as
     * tuned, its results told in the roles the caller gave.
     */
    public static void donate(Decoder recipient, Decoder donor, Schedule schedule, NDManager parent, List<Prompted> pairs,
            List<Cell> cells, Consumer<Donation> sink) {
        new Sweep(recipient, donor, schedule).run(parent, pairs, cells, List.of(Direction.TUNED_TO_BASE), r -> sink.accept(
                new Donation(r.tokens(), r.base(), r.tuned(), r.patched().stream().map(Patched::margin).toList())));
    }

    private Decoder recipient(Direction d) {
        return d == Direction.TUNED_TO_BASE ? base : tuned;
    }

    private static Margin margin(CleanRun run) {
        return Margin.of(run.tokenLogprobs(0), run.tokenLogprobs(1));
    }

    /** Each pair's partner for shuffled targets: a seeded permutation with no fixed point. */
    private static int[] derangement(int n, List<Cell> cells) {
        Intervention.Shuffled shuffled = cells.stream().map(Cell::intervention)
                .filter(Intervention.Shuffled.class::isInstance).map(Intervention.Shuffled.class::cast).findFirst().orElse(null);
        if (shuffled == null) {
            return new int[0];
        }
        if (n < 2) {
            throw new IllegalArgumentException("shuffled targets need at least two pairs");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(shuffled.seed()));
        int[] partner = new int[n];
        for (int i = 0; i < n; i++) {
            partner[order.get(i)] = order.get((i + 1) % n);
        }
        return partner;
    }

    /** Mean recipient activation at each point a {@code mean} cell patches, over every position of every pair. */
    private Map<Point, float[]> meansNeeded(NDManager parent, List<Prompted> pairs, List<Cell> cells, Decoder model) {
        List<Point> points = cells.stream().filter(c -> c.intervention() instanceof Intervention.Mean)
                .map(Cell::point).distinct().toList();
        Map<Point, float[]> means = new HashMap<>();
        if (points.isEmpty()) {
            return means;
        }
        Map<Point, double[]> sums = new HashMap<>();
        long rows = 0;
        for (Prompted pair : pairs) {
            try (NDManager work = parent.newSubManager()) {
                CleanRun run = CleanRun.of(model, work, pair, Schedule.CACHED);
                List<Trace> segments = new ArrayList<>(run.completions);
                segments.add(run.prompt);
                for (Trace t : segments) {
                    for (Point p : points) {
                        NDArray total = t.at(p).sum(new int[] {0});
                        float[] v = total.toFloatArray();
                        double[] s = sums.computeIfAbsent(p, k -> new double[v.length]);
                        for (int c = 0; c < v.length; c++) {
                            s[c] += v[c];
                        }
                    }
                    rows += t.rows();
                }
            }
        }
        for (Point p : points) {
            double[] s = sums.get(p);
            float[] mean = new float[s.length];
            for (int c = 0; c < s.length; c++) {
                mean[c] = (float) (s[c] / rows);
            }
            means.put(p, mean);
        }
        return means;
    }

    /** Recipient and donor checkpoints that cannot be patched into each other. */
    public static final class ModelMismatchException extends LocusException {
        private static final long serialVersionUID = 1L;

        public ModelMismatchException(String source, String field, String reason) {
            super(source, field, reason, null);
        }
    }
}
