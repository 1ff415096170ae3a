package dev.locus.claims;

import dev.locus.Provenance;
import java.util.List;

/**
 * What every claim's result says, whatever else it carries: the verdict against the expected one,
 * the peak layer, the reason in a sentence, every threshold checked, the tuned model's gain (the
 * precondition of every claim) and the provenance of the run.
 */
public interface ClaimResult {
    String claim();

    Verdict verdict();

    Verdict expected();

    int peakLayer();

    String reason();

    List<Check> checks();

    Gain gain();

    Provenance provenance();

    /** Whether the verdict is the expected one. */
    default boolean asExpected() {
        return verdict() == expected();
    }

    /** A sentence naming the claim, both verdicts and why, for a failing build. */
    default String mismatch() {
        return claim() + ": expected " + expected().label() + ", found " + verdict().label() + ": " + reason();
    }

    /** The verdict of a list of checks under the gain precondition, and its reason. */
    static Verdict verdictOf(Gain gain, List<Check> checks) {
        return gain.holds() && checks.stream().allMatch(Check::passed) ? Verdict.HOLDS : Verdict.FAILS;
    }

    static String reasonOf(Gain gain, List<Check> checks) {
        if (!gain.holds()) {
            return "precondition fails: " + gain.sentence() + "; without a gain there is nothing to localize";
        }
        List<String> missed = checks.stream().filter(c -> !c.passed()).map(Check::sentence).toList();
        return missed.isEmpty() ? "all " + checks.size() + " checks pass" : String.join("; ", missed);
    }
}
