package dev.locus.data;

import dev.locus.LocusException;
import java.nio.file.Path;

/** A pairs file line that is not a usable preference pair: names the line and the field. */
public final class PairsFormatException extends LocusException {
    private static final long serialVersionUID = 1L;

    public PairsFormatException(Path file, int line, String field, String reason) {
        super(file, "line " + line + (field.isEmpty() ? "" : ": " + field), reason);
    }
}
