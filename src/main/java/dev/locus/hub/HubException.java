package dev.locus.hub;

import dev.locus.LocusException;

/**
 * A checkpoint named on the Hub that cannot be had: refused (401, 403), not there (404), the Hub
 * unreachable or failing, bytes that are not the ones the Hub named, a cache that cannot be
 * written. Names the repository (or the cache file) and what the user can do; never a token.
 */
public final class HubException extends LocusException {
    private static final long serialVersionUID = 1L;

    public HubException(String source, String field, String reason) {
        super(source, field, reason, null);
    }

    public HubException(String source, String field, String reason, Throwable cause) {
        super(source, field, reason, cause);
    }
}
