package dev.locus.model;

import dev.locus.LocusException;
import java.nio.file.Path;

/** A safetensors file whose bytes do not follow the format: truncated, bad header, bad offsets, unknown dtype. */
public final class SafetensorsFormatException extends LocusException {
    private static final long serialVersionUID = 1L;

    public SafetensorsFormatException(Path file, String field, String reason) {
        super(file, field, reason);
    }
}
