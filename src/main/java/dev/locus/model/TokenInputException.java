package dev.locus.model;

import dev.locus.LocusException;

/** Token ids a model cannot run: outside the vocabulary, empty, or longer than its positions. */
public final class TokenInputException extends LocusException {
    private static final long serialVersionUID = 1L;

    public TokenInputException(String source, String field, String reason) {
        super(source, field, reason, null);
    }
}
