package dev.locus.claims;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Whether a claim holds on a checkpoint pair, as results and expectations spell it. */
public enum Verdict {
    HOLDS,
    FAILS;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return label();
    }

    @JsonCreator
    public static Verdict parse(String text) {
        for (Verdict v : values()) {
            if (v.label().equals(text)) {
                return v;
            }
        }
        throw new IllegalArgumentException("expected holds or fails, found \"" + text + "\"");
    }
}
