package dev.locus.measure;

import dev.locus.hub.HubOrigin;
import java.nio.file.Path;

/**
 * The inputs a measurement is a function of: a base/tuned pair, the preference pairs and the
 * expectations file; for a checkpoint named on the Hub, which commit its folder is (else null).
 */
public record Subject(String name, Path base, Path tuned, Path pairs, Path expectationsFile, HubOrigin baseOrigin, HubOrigin tunedOrigin) {
    /** Checkpoints given as folders. */
    public Subject(String name, Path base, Path tuned, Path pairs, Path expectationsFile) {
        this(name, base, tuned, pairs, expectationsFile, null, null);
    }
}
