package dev.locus.regression;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.LocusException;
import dev.locus.claims.AsymmetryClaim;
import dev.locus.claims.ClaimResult;
import dev.locus.claims.Expectations;
import dev.locus.claims.LowRankClaim;
import dev.locus.claims.Results;
import dev.locus.claims.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * A new run held against a baseline run of the same pairs, seed and expectations: what teams that
 * retrain want to know, whether the new checkpoint still localizes the way the accepted one did.
 * One row per quantity, both values side by side, and a regression wherever a rule of the
 * expectations' {@code regression} block is broken (see {@link Expectations.Regression}). A run
 * compared with itself has none.
 *
 * @param baseline the baseline's results file, as given
 * @param baselineSha256 its sha256
 * @param drift every compared quantity
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Comparison(String baseline, String baselineSha256, List<Drift> drift) {

    /** One compared quantity: its name, the baseline's value, the new one, the rule, and whether the rule is broken. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Drift(String what, String baseline, String now, String rule, boolean regression) {
        public String sentence() {
            return what + ": " + baseline + " -> " + now + " (" + rule + ")";
        }
    }

    @JsonIgnore
    public List<Drift> regressions() {
        return drift.stream().filter(Drift::regression).toList();
    }

    @JsonIgnore
    public boolean regressed() {
        return drift.stream().anyMatch(Drift::regression);
    }

    /**
     * Compares {@code now} with {@code baseline}, read from {@code baselineFile} whose sha256 is
     * {@code baselineSha256}. Runs on other pairs, another seed, other expectations or models of
     * another shape cannot be compared: refused, naming what differs.
     */
    public static Comparison of(Path baselineFile, String baselineSha256, Results baseline, Results now) {
        requireComparable(baselineFile, RunIdentity.of(baseline), RunIdentity.of(now));
        Expectations.Regression rules = now.expectations().regression();
        List<Drift> drift = new ArrayList<>();
        for (ClaimResult before : baseline.claims().all()) {
            ClaimResult after = now.claims().named(before.claim());
            Verdict was = before.outcome().verdict();
            Verdict is = after.outcome().verdict();
            drift.add(new Drift(before.claim() + " verdict", was.label(), is.label(), "a claim that held still holds",
                    was == Verdict.HOLDS && is == Verdict.FAILS));
        }

        AsymmetryClaim.Result a0 = baseline.claims().asymmetry();
        AsymmetryClaim.Result a1 = now.claims().asymmetry();
        int shift = Math.abs(a1.peakLayer() - a0.peakLayer());
        drift.add(new Drift("peak layer L* (" + a1.peakChosenBy() + ")", String.valueOf(a0.peakLayer()), String.valueOf(a1.peakLayer()),
                "moves by at most max_peak_shift = " + rules.maxPeakShift() + (shift > 0 ? "; moved by " + shift : ""),
                shift > rules.maxPeakShift()));

        AsymmetryClaim.LayerEffect before = a0.layers().get(a0.peakLayer());
        AsymmetryClaim.LayerEffect after = a1.layers().get(a0.peakLayer());
        double drop = before.f() - after.f();
        boolean apart = after.fHigh() < before.fLow();
        drift.add(new Drift("share of the gain f_L at the baseline's L* = " + a0.peakLayer() + " (" + a0.site().label() + ")",
                share(before), share(after), String.format(Locale.ROOT, "drops by at most max_share_drop = %s, or the intervals "
                        + "overlap; dropped by %.3f, intervals %s", rules.maxShareDrop(), drop, apart ? "apart" : "overlap"),
                drop > rules.maxShareDrop() && apart));

        LowRankClaim.Result l0 = baseline.claims().lowRank();
        LowRankClaim.Result l1 = now.claims().lowRank();
        int steps = step(l1) - step(l0);
        List<Integer> grid = l1.recovery().stream().map(LowRankClaim.RankRecovery::k).toList();
        drift.add(new Drift("smallest sufficient rank k", rank(l0), rank(l1), "grows by at most max_rank_steps = " + rules.maxRankSteps()
                + " step(s) of the rank grid " + grid + (steps != 0 ? "; moved by " + steps + " step(s)" : ""),
                steps > rules.maxRankSteps()));

        Integer top = baseline.claims().sparseAttribution().topLayer();
        List<Integer> selected = now.claims().sparseAttribution().selectedLayers();
        drift.add(new Drift("baseline's top LASSO layer" + (top == null ? " (none)" : " " + top) + " selected",
                top == null ? "none selected" : "layer " + top + " of " + baseline.claims().sparseAttribution().selectedLayers(),
                "selected " + selected, "the baseline's top layer stays selected", top != null && !selected.contains(top)));

        drift.add(new Drift("mean gain m_T - m_B", gain(baseline), gain(now), "reported", false));
        return new Comparison(baselineFile.toString(), baselineSha256, List.copyOf(drift));
    }

    /**
     * Refuses a baseline that cannot be compared with a run of {@code now}'s identity, naming
     * everything that differs.
     */
    public static void requireComparable(Path baselineFile, RunIdentity baseline, RunIdentity now) {
        List<String> differences = new ArrayList<>();
        if (!baseline.pairIds().equals(now.pairIds())) {
            long other = now.pairIds().stream().filter(id -> !baseline.pairIds().contains(id)).count();
            differences.add("pairs: " + other + " of this run's " + now.pairIds().size() + " pairs are not among the baseline's "
                    + baseline.pairIds().size() + (other == 0 ? " (same pairs, another order or count)" : ""));
        }
        differ(differences, "pairs file sha256", baseline, now, RunIdentity::pairsSha256);
        differ(differences, "seed", baseline, now, RunIdentity::seed);
        differ(differences, "layers", baseline, now, RunIdentity::layers);
        differ(differences, "hidden size", baseline, now, RunIdentity::hiddenSize);
        Expectations e0 = baseline.expectations();
        Expectations e1 = now.expectations();
        List<String> blocks = new ArrayList<>();
        record Block(String name, Function<Expectations, Object> value) {}
        for (Block b : List.of(new Block("name", Expectations::name), new Block("run", Expectations::run),
                new Block("asymmetry", Expectations::asymmetry), new Block("dose_response", Expectations::doseResponse),
                new Block("low_rank", Expectations::lowRank), new Block("sparse_attribution", Expectations::sparseAttribution),
                new Block("regression", Expectations::regression), new Block("truth", Expectations::truth))) {
            if (!Objects.equals(b.value().apply(e0), b.value().apply(e1))) {
                blocks.add(b.name());
            }
        }
        if (!blocks.isEmpty()) {
            differences.add("expectations differ in " + String.join(", ", blocks));
        }
        if (!differences.isEmpty()) {
            throw new LocusException(baselineFile, "(baseline)", "not comparable with this run: " + String.join("; ", differences)
                    + ". A baseline must be a run on the same pairs, seed and expectations");
        }
    }

    private static <T> void differ(List<String> out, String what, RunIdentity baseline, RunIdentity now, Function<RunIdentity, T> value) {
        T a = value.apply(baseline);
        T b = value.apply(now);
        if (!Objects.equals(a, b)) {
            out.add(what + ": baseline " + a + ", this run " + b);
        }
    }

    /** The drift table as text, for a terminal or a build log. */
    public String table() {
        int what = Math.max(8, drift.stream().mapToInt(d -> d.what().length()).max().orElse(0));
        int before = Math.max(8, drift.stream().mapToInt(d -> d.baseline().length()).max().orElse(0));
        int after = Math.max(8, drift.stream().mapToInt(d -> d.now().length()).max().orElse(0));
        String row = "%-" + what + "s  %-" + before + "s  %-" + after + "s  %-10s  %s%n";
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, row, "quantity", "baseline", "this run", "", "rule"));
        for (Drift d : drift) {
            out.append(String.format(Locale.ROOT, row, d.what(), d.baseline(), d.now(), d.regression() ? "REGRESSION" : "ok", d.rule()));
        }
        return out.toString();
    }

    /** A rank's position in the grid of measured ranks plus the full one; no sufficient rank sits past its end. */
    private static int step(LowRankClaim.Result r) {
        List<LowRankClaim.RankRecovery> grid = r.recovery();
        for (int i = 0; i < grid.size(); i++) {
            if (r.smallestK() != null && grid.get(i).k() == r.smallestK()) {
                return i;
            }
        }
        return grid.size();
    }

    private static String rank(LowRankClaim.Result r) {
        return r.smallestK() == null ? "none" : String.valueOf(r.smallestK());
    }

    private static String share(AsymmetryClaim.LayerEffect e) {
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", e.f(), e.fLow(), e.fHigh());
    }

    private static String gain(Results r) {
        return String.format(Locale.ROOT, "%.4g [%.4g, %.4g]", r.claims().gain().mean(), r.claims().gain().low(), r.claims().gain().high());
    }
}
