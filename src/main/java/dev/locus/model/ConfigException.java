package dev.locus.model;

import dev.locus.LocusException;
import java.nio.file.Path;

/** A config.json field that is missing, of the wrong type, out of range or unsupported. */
public final class ConfigException extends LocusException {
    private static final long serialVersionUID = 1L;

    public ConfigException(Path file, String field, String reason) {
        super(file, field, reason);
    }
}
