package dev.locus.claims;

import dev.locus.analysis.Bootstrap;
import dev.locus.measure.Measurement;
import dev.locus.measure.Run;
import java.util.Locale;

/**
 * The precondition of every claim: the tuned model gains, mean G = mean(m_T - m_B) > 0 with its
 * bootstrap interval excluding 0. Ratios over a mean gain near zero are noise.
 */
public record Gain(double mean, double low, double high, double confidence, int pairs, boolean holds) {
    public static Gain of(Measurement m, Run run) {
        Bootstrap.Interval ci = Bootstrap.mean(m.gains(), run.bootstrapResamples(), run.confidence(), run.seed());
        return new Gain(ci.estimate(), ci.low(), ci.high(), ci.confidence(), m.pairs(), ci.estimate() > 0 && ci.low() > 0);
    }

    public String sentence() {
        return String.format(Locale.ROOT, "mean gain m_T - m_B = %.4g over %d pairs, %.0f %% CI [%.4g, %.4g]%s", mean, pairs,
                100 * confidence, low, high, holds ? "" : " does not exclude 0 on the positive side");
    }
}
