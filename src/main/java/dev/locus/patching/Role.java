package dev.locus.patching;

/**
 * Which rows of a pair's run a segment holds: the prompt's ({@link #PROMPT}), or completion i's. A
 * cached pass reruns the prompt only when a patch touches it; the completions always.
 */
record Role(int completion) {
    /** The prompt's rows; its index also seeds the noise of prompt positions, so it stays -1. */
    static final Role PROMPT = new Role(-1);

    static Role completion(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("completion index must be >= 0, found " + index);
        }
        return new Role(index);
    }

    boolean isPrompt() {
        return completion < 0;
    }
}
