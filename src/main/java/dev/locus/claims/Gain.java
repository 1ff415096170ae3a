package dev.locus.claims;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.analysis.Bootstrap;
import dev.locus.measure.Measurement;
import dev.locus.measure.Run;
import java.util.Locale;

/**
 * The precondition of every claim: the tuned model gains, mean G = mean(m_T - m_B) > 0 with its
 * bootstrap interval excluding 0, and at least {@code minGain} nats
 * ({@link Expectations.Precondition}). Ratios over a mean gain near zero are noise, and a gain of a
 * few thousandths of a nat is no preference to localize, however significant.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Gain(double mean, double low, double high, double confidence, int pairs, double minGain, boolean holds) {
    public static Gain of(Measurement m, Run run, Expectations.Precondition precondition) {
        Bootstrap.Interval ci = Bootstrap.mean(m.gains(), run.bootstrapResamples(), run.confidence(), run.seed());
        double floor = precondition.minGain();
        return new Gain(ci.estimate(), ci.low(), ci.high(), ci.confidence(), m.pairs(), floor,
                ci.estimate() > 0 && ci.low() > 0 && ci.estimate() >= floor);
    }

    public String sentence() {
        String missed = !(mean > 0 && low > 0) ? " does not exclude 0 on the positive side"
                : mean < minGain ? " is below the " + minGain + " nats a preference must reach" : "";
        return String.format(Locale.ROOT, "mean gain m_T - m_B = %.4g over %d pairs, %.0f %% CI [%.4g, %.4g]%s", mean, pairs,
                100 * confidence, low, high, missed);
    }
}
