package dev.locus;

import java.nio.file.Path;

/**
 * Bad input that locus refuses rather than computing a wrong number: names the file and the
 * field at fault so a user can fix the input. Every stage throws a subtype of this; the CLI
 * turns it into exit code 2 and one line.
 */
public class LocusException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String field;

    public LocusException(Path source, String field, String reason) {
        this(source == null ? "<input>" : source.toString(), field, reason, null);
    }

    public LocusException(String source, String field, String reason, Throwable cause) {
        super(source + ": " + field + ": " + reason, cause);
        this.source = source;
        this.field = field;
    }

    /** The file (or other named input) at fault. */
    public String source() {
        return source;
    }

    /** The field, tensor, header entry or argument at fault. */
    public String field() {
        return field;
    }
}
