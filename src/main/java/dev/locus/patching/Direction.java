package dev.locus.patching;

/** Which model's activations go into which: {@code tuned->base} patches tuned activations into the base model. */
public enum Direction {
    TUNED_TO_BASE("tuned->base"),
    BASE_TO_TUNED("base->tuned");

    private final String label;

    Direction(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
