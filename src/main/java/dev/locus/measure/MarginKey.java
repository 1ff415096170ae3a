package dev.locus.measure;

import dev.locus.model.Point;

/**
 * Which patched run of a pair a margin comes from, typed: the phases declare their runs under these
 * keys and read the margins back by them. {@link #label} is how the journal spells the key.
 */
sealed interface MarginKey {
    String label();

    /** A layer sweep's point, replaced whole. */
    record Swept(Point point) implements MarginKey {
        @Override
        public String label() {
            return point.name();
        }
    }

    /** Tuned->base interpolation at L* with weight alpha. */
    record Dose(double alpha) implements MarginKey {
        @Override
        public String label() {
            return "alpha=" + alpha;
        }
    }

    /** The controls of the dose phase at L*. */
    enum Control implements MarginKey {
        NOISE("noise"),
        NOISE_MIRRORED("noise mirrored"),
        SHUFFLED("shuffled");

        private final String label;

        Control(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }
    }

    /** The top-k directions of the fit pairs' difference at L*. */
    record Top(int k) implements MarginKey {
        @Override
        public String label() {
            return "top-" + k;
        }
    }

    /** A random orthonormal k-frame of the control, the draw-th. */
    record RandomFrame(int k, int draw) implements MarginKey {
        @Override
        public String label() {
            return "random-" + k + "#" + draw;
        }
    }

    /** A steering vector at L* added to the base with weight {@code scale}. */
    record Steered(SteeringVector vector, double scale) implements MarginKey {
        @Override
        public String label() {
            return "steer-" + vector.label() + " c=" + scale;
        }
    }

    /** A random direction of the mean difference's norm, the draw-th, added with weight {@code scale}. */
    record SteeredRandom(int draw, double scale) implements MarginKey {
        @Override
        public String label() {
            return "steer-random#" + draw + " c=" + scale;
        }
    }

    /** The steering vectors measured. */
    enum SteeringVector {
        /** The mean tuned-minus-base difference over the fit pairs' rows at L*. */
        MEAN_DIFFERENCE("mean-difference"),
        /** Its projection onto the top-k right singular vectors of the same rows. */
        PROJECTED("projected");

        private final String label;

        SteeringVector(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }
}
