package dev.locus.claims;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * What every claim's result says, whatever else it carries: the verdict found, the one the
 * expectations declared (null: measured and reported, not asserted), the reason in one sentence, and
 * every threshold checked.
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

    /** Whether the verdict is the expected one; a verdict not asserted is as expected. */
    public boolean asExpected() {
        return expected == null || verdict == expected;
    }

    /** The expected verdict as reports print it. */
    @JsonIgnore
    public String expectation() {
        return expected == null ? "not asserted" : expected.label();
    }
}
