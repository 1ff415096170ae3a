package dev.locus.regression;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.LocusException;
import dev.locus.claims.Claim;
import dev.locus.claims.ClaimResult;
import dev.locus.claims.Claims;
import dev.locus.claims.Drift;
import dev.locus.claims.Expectations;
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
 * expectations' {@code regression} block is broken (see {@link Expectations.Regression}): each
 * claim's verdict, then the rows each claim's {@link Claim#drift} adds. A run compared with itself
 * has none.
 *
 * @param baseline the baseline's results file, as given
 * @param baselineSha256 its sha256
 * @param drift every compared quantity
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Comparison(String baseline, String baselineSha256, List<Drift> drift) {

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
        for (Claim<?, ?> claim : Claims.ALL) {
            ClaimResult before = baseline.claims().named(claim.name());
            ClaimResult after = now.claims().named(claim.name());
            Verdict was = before.outcome().verdict();
            Verdict is = after.outcome().verdict();
            drift.add(new Drift(claim.name() + " verdict", was.label(), is.label(), "a claim that held still holds",
                    was == Verdict.HOLDS && is == Verdict.FAILS));
        }
        for (Claim<?, ?> claim : Claims.ALL) {
            drift.addAll(drift(claim, baseline.claims(), now.claims(), rules));
        }
        drift.add(new Drift("mean gain m_T - m_B", gain(baseline), gain(now), "reported", false));
        return new Comparison(baselineFile.toString(), baselineSha256, List.copyOf(drift));
    }

    private static <R extends ClaimResult> List<Drift> drift(Claim<?, R> claim, Claims baseline, Claims now, Expectations.Regression rules) {
        return claim.drift(baseline.of(claim), now.of(claim), rules);
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
        List<Block> compared = new ArrayList<>(List.of(new Block("name", Expectations::name), new Block("run", Expectations::run)));
        for (Claim<?, ?> claim : Claims.ALL) {
            compared.add(new Block(claim.name(), e -> e.sections().get(claim.name())));
        }
        compared.add(new Block("regression", Expectations::regression));
        compared.add(new Block("truth", Expectations::truth));
        for (Block b : compared) {
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

    private static String gain(Results r) {
        return String.format(Locale.ROOT, "%.4g [%.4g, %.4g]", r.claims().gain().mean(), r.claims().gain().low(), r.claims().gain().high());
    }
}
