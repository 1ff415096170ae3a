package dev.locus.model;

import dev.locus.LocusException;
import java.nio.file.Path;

/** A well-formed checkpoint whose tensors do not match what its config.json describes. */
public final class CheckpointMismatchException extends LocusException {
    private static final long serialVersionUID = 1L;

    public CheckpointMismatchException(Path file, String field, String reason) {
        super(file, field, reason);
    }
}
