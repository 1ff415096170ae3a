package dev.locus.patching;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Which model's activations go into which: {@code tuned->base} patches tuned activations into the base model. */
public enum Direction {
    TUNED_TO_BASE("tuned->base"),
    BASE_TO_TUNED("base->tuned");

    private final String label;

    Direction(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }

    @JsonCreator
    public static Direction parse(String label) {
        for (Direction d : values()) {
            if (d.label.equals(label)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown direction \"" + label + "\": expected tuned->base or base->tuned");
    }

    @Override
    public String toString() {
        return label;
    }
}
