package dev.locus.claims;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.analysis.Bootstrap;
import dev.locus.analysis.Statistics;
import dev.locus.measure.Measurement;
import dev.locus.measure.Protocol;
import dev.locus.measure.Run;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Claim 3, low-rank recovery. The tuned-minus-base differences at L* over the fit pairs' positions,
 * stacked; V_k their top-k right singular vectors. On the held-out pairs, recovery(k) = mean(m_k -
 * m_B) / mean(m_full - m_B), m_full the plain patch (the full-rank subspace). The claim: the full
 * patch moves the held-out pairs (its CI excludes 0, or the ratios are noise), the smallest k with
 * recovery at least the threshold is at most the maximum, and random orthonormal frames of that k
 * recover at most a set share on average. Subspace patches can switch on dormant pathways
 * (Makelov, Lange and Nanda, 2023), so the random control and the energy curve stand beside every
 * recovery figure.
 */
public final class LowRankClaim implements Claim<LowRankClaim.Section, LowRankClaim.Result> {
    public static final LowRankClaim UNIT = new LowRankClaim();
    public static final String NAME = "low_rank";
    public static final String SENTENCE = "Low-rank recovery: a rank-k subspace of the tuned-minus-base activation difference at "
            + "the peak layer recovers nearly the full patching effect on held-out pairs";

    /** Its expectations section, {@code low_rank:}: {@code ranks} below the hidden size (the full rank is always the plain patch). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Section(Verdict expect, List<Integer> ranks, Double minRecovery, Integer maxSmallestK, Integer randomDraws,
            Double maxRandomRecovery) implements Claim.Section {}

    /** One rank's recovery, the mean over random frames of the same rank, and the energy it keeps. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RankRecovery(int k, double recovery, double randomRecovery, double energy) {}

    /**
     * @param smallestK the smallest k reaching the threshold, null when none does
     * @param fullPatchEffect mean(m_full - m_B) on the held-out pairs, with its CI
     * @param singularValues the largest singular values (at most 64)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Result(String claim, Outcome outcome, int peakLayer, int heldOutPairs, Bootstrap.Interval fullPatchEffect,
            List<RankRecovery> recovery, Integer smallestK, double[] singularValues) implements ClaimResult {}

    private LowRankClaim() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "3. Low-rank recovery";
    }

    @Override
    public String sentence() {
        return SENTENCE;
    }

    @Override
    public Class<Section> sectionType() {
        return Section.class;
    }

    @Override
    public Class<Result> resultType() {
        return Result.class;
    }

    @Override
    public void validate(Section l, Fields fields) {
        fields.present("expect", l.expect());
        List<Integer> ranks = fields.present("ranks", l.ranks());
        if (ranks.isEmpty() || ranks.get(0) < 1) {
            fields.fail("ranks", "needs ranks >= 1, found " + ranks);
        }
        for (int i = 1; i < ranks.size(); i++) {
            if (ranks.get(i) <= ranks.get(i - 1)) {
                fields.fail("ranks", "must increase, found " + ranks);
            }
        }
        fields.within("min_recovery", l.minRecovery(), 0, 1);
        fields.within("max_smallest_k", l.maxSmallestK(), 1, 1_000_000);
        fields.within("random_draws", l.randomDraws(), 1, 100);
        fields.within("max_random_recovery", l.maxRandomRecovery(), 0, 1);
    }

    @Override
    public Protocol measuring(Section l, Protocol protocol) {
        return protocol.withSubspaces(l.ranks(), l.randomDraws());
    }

    @Override
    public Result evaluate(Measurement m, Run run, Section l, Gain gain) {
        int[] held = m.heldOutIndices();
        double[] full = new double[held.length];
        double[] baseHeld = new double[held.length];
        double[] patched = m.layerSweeps().at(run.site()).tunedToBase()[m.peakLayer()];
        for (int h = 0; h < held.length; h++) {
            baseHeld[h] = m.base()[held[h]];
            full[h] = patched[held[h]] - baseHeld[h];
        }
        Bootstrap.Interval fullEffect = Bootstrap.mean(full, run.bootstrapResamples(), run.confidence(), run.seed());
        double denominator = Statistics.mean(full);
        double[] energy = m.spectrum().energy();
        List<RankRecovery> curve = new ArrayList<>();
        for (Measurement.RankPatches rank : m.subspaces().ranks()) {
            double random = 0;
            for (double[] draw : rank.randomFrames()) {
                random += recovery(draw, baseHeld, denominator) / rank.randomFrames().size();
            }
            curve.add(new RankRecovery(rank.k(), recovery(rank.top(), baseHeld, denominator), random,
                    energy[Math.min(rank.k(), energy.length) - 1]));
        }
        curve.add(new RankRecovery(m.hiddenSize(), 1.0, 1.0, 1.0));
        RankRecovery smallest = curve.stream().filter(p -> p.recovery() >= l.minRecovery()).findFirst().orElse(null);
        List<Check> checks = new ArrayList<>();
        checks.add(Check.above("lower CI bound of the full patch's effect on held-out pairs", fullEffect.low(), 0));
        checks.add(Check.atMost("smallest k with recovery >= " + l.minRecovery() + (smallest == null ? " (none reaches it: full rank)" : ""),
                smallest == null ? m.hiddenSize() : smallest.k(), l.maxSmallestK()));
        RankRecovery control = smallest != null && smallest.k() < m.hiddenSize() ? smallest
                : curve.stream().filter(p -> p.k() <= l.maxSmallestK()).reduce((a, b) -> b).orElse(curve.get(0));
        checks.add(Check.atMost("mean recovery of random " + control.k() + "-frames", control.randomRecovery(), l.maxRandomRecovery()));
        double[] values = m.spectrum().singularValues();
        return new Result(NAME, Outcome.of(gain, checks, l.expect()), m.peakLayer(), held.length, fullEffect, curve,
                smallest == null ? null : smallest.k(), Arrays.copyOf(values, Math.min(64, values.length)));
    }

    private static double recovery(double[] patched, double[] base, double denominator) {
        double s = 0;
        for (int h = 0; h < patched.length; h++) {
            s += patched[h] - base[h];
        }
        return s / patched.length / denominator;
    }

    /** Recovery against k, beside random frames and the singular-value energy. */
    @Override
    public XYChart chart(Result r) {
        XYChart chart = Plot.xy("Low-rank recovery at layer " + r.peakLayer() + " (held-out pairs)", "rank k", "share");
        chart.getStyler().setXAxisLogarithmic(true);
        double[] k = r.recovery().stream().mapToDouble(RankRecovery::k).toArray();
        Plot.series(chart, "recovery(k), top-k directions", k, r.recovery().stream().mapToDouble(RankRecovery::recovery).toArray());
        Plot.series(chart, "random k-frames (mean)", k, r.recovery().stream().mapToDouble(RankRecovery::randomRecovery).toArray());
        XYSeries energy = Plot.series(chart, "singular-value energy", k, r.recovery().stream().mapToDouble(RankRecovery::energy).toArray());
        if (energy != null) {
            energy.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    /** Recovery and random frames against k, this run over the baseline. */
    @Override
    public XYChart chartOver(Result now, Result baseline) {
        XYChart chart = Plot.xy("Low-rank recovery on held-out pairs: smallest k " + now.smallestK() + " now, " + baseline.smallestK()
                + " in the baseline", "rank k", "share");
        chart.getStyler().setXAxisLogarithmic(true);
        for (Result r : List.of(now, baseline)) {
            String who = r == now ? "" : " (baseline)";
            double[] k = r.recovery().stream().mapToDouble(RankRecovery::k).toArray();
            XYSeries top = Plot.series(chart, "recovery(k)" + who, k, r.recovery().stream().mapToDouble(RankRecovery::recovery).toArray());
            XYSeries random = Plot.series(chart, "random k-frames" + who, k,
                    r.recovery().stream().mapToDouble(RankRecovery::randomRecovery).toArray());
            if (r != now) {
                Plot.dashed(top, random);
            }
        }
        return chart;
    }

    @Override
    public String howToRead(Result r, Run run, Section l, Measurement m) {
        int held = r.heldOutPairs();
        return "Patching only the top-k directions of the tuned-minus-base difference (fitted on " + (m.pairs() - held)
                + " pairs, tested on the other " + held + "), as a share of the full patch. Random k-dimensional frames "
                + "are the control (" + l.randomDraws() + " per k): a subspace patch can switch on pathways the "
                + "real difference does not use (Makelov et al. 2023), so recovery counts only well above the random line. "
                + "The energy curve shows how much of the difference the top k directions hold.";
    }

    /** The smallest sufficient rank growing by more than {@code max_rank_steps} steps of the rank grid. */
    @Override
    public List<Drift> drift(Result l0, Result l1, Expectations.Regression rules) {
        int steps = step(l1) - step(l0);
        List<Integer> grid = l1.recovery().stream().map(RankRecovery::k).toList();
        return List.of(new Drift("smallest sufficient rank k", rank(l0), rank(l1), "grows by at most max_rank_steps = "
                + rules.maxRankSteps() + " step(s) of the rank grid " + grid + (steps != 0 ? "; moved by " + steps + " step(s)" : ""),
                steps > rules.maxRankSteps()));
    }

    /** A rank's position in the grid of measured ranks plus the full one; no sufficient rank sits past its end. */
    private static int step(Result r) {
        List<RankRecovery> grid = r.recovery();
        for (int i = 0; i < grid.size(); i++) {
            if (r.smallestK() != null && grid.get(i).k() == r.smallestK()) {
                return i;
            }
        }
        return grid.size();
    }

    private static String rank(Result r) {
        return r.smallestK() == null ? "none" : String.valueOf(r.smallestK());
    }

    @Override
    public String csv(Result r) {
        StringBuilder csv = new StringBuilder("k,recovery,random_recovery,energy\n");
        for (RankRecovery p : r.recovery()) {
            csv.append(p.k()).append(',').append(p.recovery()).append(',').append(p.randomRecovery()).append(',').append(p.energy())
                    .append('\n');
        }
        return csv.toString();
    }
}
