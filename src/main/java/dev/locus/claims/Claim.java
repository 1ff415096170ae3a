package dev.locus.claims;

import dev.locus.measure.Measurement;
import dev.locus.measure.Protocol;
import dev.locus.measure.Run;
import java.util.List;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * One claim of the paper as one unit: its name, the paper's sentence, its expectations section and
 * that section's checks, what the measurement must run for it, how it is evaluated, its chart, how
 * to read it, and what counts as its regression against a baseline. {@link Claims#ALL} lists the
 * units; expectations, results, the report, the comparison and the specs iterate that list.
 *
 * @param <S> its expectations section
 * @param <R> its result
 */
public interface Claim<S extends Claim.Section, R extends ClaimResult> {

    /** A claim's block of an expectations file: thresholds and the expected verdict. */
    interface Section {
        /** The verdict expected; null where the claim is measured and reported but not asserted. */
        Verdict expect();
    }

    /** As results, expectations and specs name it: {@code dose_response}. */
    String name();

    /** The report section's heading: {@code 2. Monotone dose-response}. */
    String title();

    /** The paper's sentence, as the claim's spec is named. */
    String sentence();

    Class<S> sectionType();

    Class<R> resultType();

    /** The section an expectations file without one has; null where the section is required. */
    default S absentSection() {
        return null;
    }

    /** Checks every field of a section that is present, naming it through {@code fields}. */
    void validate(S section, Fields fields);

    /** The protocol with what this claim needs measured, as its section sets it. */
    default Protocol measuring(S section, Protocol protocol) {
        return protocol;
    }

    R evaluate(Measurement m, Run run, S section, Gain gain);

    /** Its chart of the result. */
    Chart<?, ?> chart(R result);

    /** Its chart of this run drawn over the baseline's; null where there is none. */
    Chart<?, ?> chartOver(R now, R baseline);

    /** The report's paragraph on how to read the chart. */
    String howToRead(R result, Run run, S section, Measurement m);

    /**
     * Its rows of the drift table against a baseline under the expectations' regression rules
     * (besides the verdict row every claim has).
     */
    List<Drift> drift(R baseline, R now, Expectations.Regression rules);

    /** Its table (the chart's numbers) as CSV with a header. */
    String csv(R result);
}
