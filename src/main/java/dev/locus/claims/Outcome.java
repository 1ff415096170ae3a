package dev.locus.claims;

import java.util.List;

/**
 * What every claim's result says, whatever else it carries: the verdict found, the one the
 * expectations declared, the reason in one sentence, and every threshold checked.
 */
public record Outcome(Verdict verdict, Verdict expected, String reason, List<Check> checks) {

    /** The verdict of {@code checks} under the gain precondition, and its reason. */
    static Outcome of(Gain gain, List<Check> checks, Verdict expected) {
        Verdict verdict = gain.holds() && checks.stream().allMatch(Check::passed) ? Verdict.HOLDS : Verdict.FAILS;
        String reason;
        if (!gain.holds()) {
            reason = "precondition fails: " + gain.sentence() + "; without a gain there is nothing to localize";
        } else {
            List<String> missed = checks.stream().filter(c -> !c.passed()).map(Check::sentence).toList();
            reason = missed.isEmpty() ? "all " + checks.size() + " checks pass" : String.join("; ", missed);
        }
        return new Outcome(verdict, expected, reason, List.copyOf(checks));
    }

    /** Whether the verdict is the expected one. */
    public boolean asExpected() {
        return verdict == expected;
    }
}
