package dev.locus.claims;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** One quantity compared against a baseline: its name, both values, the rule, and whether the rule is broken. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Drift(String what, String baseline, String now, String rule, boolean regression) {
    public String sentence() {
        return what + ": " + baseline + " -> " + now + " (" + rule + ")";
    }
}
