package dev.locus.measure;

/** The phases of a measurement, named the same in the journal, in timings and in progress lines. */
public enum PhaseName {
    LAYERS("layers", "layer_sweeps", "layer sweeps"),
    DOSE("dose", "dose_and_controls", "dose-response and controls"),
    SVD("svd", "svd", "SVD of the fit pairs' differences"),
    SUBSPACE("subspace", "subspace_patches", "subspace patches"),
    STEERING("steering", "steering", "steering vectors"),
    CONTINUATIONS("continuations", "continuations", "continuations shown in the report");

    private final String journalKey;
    private final String timing;
    private final String title;

    PhaseName(String journalKey, String timing, String title) {
        this.journalKey = journalKey;
        this.timing = timing;
        this.title = title;
    }

    /** The journal's key of this phase's unit for one pair. */
    public String unit(String pairId) {
        return journalKey + "/" + pairId;
    }

    /** The journal's key of a phase with one unit for the whole run. */
    public String unit() {
        return journalKey;
    }

    /** The key of this phase's wall seconds in {@code timings.json}. */
    public String timing() {
        return timing;
    }

    public String title() {
        return title;
    }
}
