package dev.locus.model;

import dev.locus.LocusException;

/** Refuses NaN and infinity where a number is about to be reported. */
public final class Numerics {
    private Numerics() {}

    public static void requireFinite(float[] values, String source, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new NonFiniteException(source, what + "[" + i + "]",
                        values[i] + ": the model produced a non-finite value (corrupt weights or overflow)");
            }
        }
    }

    /** A NaN or infinity where a finite activation or log-prob was required. */
    public static final class NonFiniteException extends LocusException {
        private static final long serialVersionUID = 1L;

        public NonFiniteException(String source, String field, String reason) {
            super(source, field, reason, null);
        }
    }
}
