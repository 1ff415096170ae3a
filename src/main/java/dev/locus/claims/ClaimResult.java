package dev.locus.claims;

/**
 * One claim's result: its name, its {@link Outcome} and the peak layer it was tested at, beside
 * the numbers particular to the claim. The gain (every claim's precondition) and the provenance
 * belong to the run, not to a claim: see {@link Claims} and {@link Results}. Each {@link Claim}
 * has its own.
 */
public interface ClaimResult {
    String claim();

    Outcome outcome();

    int peakLayer();

    /** Whether the verdict is the expected one. */
    default boolean asExpected() {
        return outcome().asExpected();
    }

    /** A sentence naming the claim, both verdicts and why, for a failing build. */
    default String mismatch() {
        return claim() + ": expected " + outcome().expectation() + ", found " + outcome().verdict().label() + ": "
                + outcome().reason();
    }
}
