package dev.locus.patching;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Which positions of a prompt-plus-completion sequence an intervention touches. With prompt
 * length K: {@code all} is 0..T-1, {@code prompt} 0..K-1, {@code completion} K..T-1 (the first
 * completion token's log-prob, read at K-1, is then the recipient's), {@code last} is K-1, the
 * position that predicts the first completion token.
 */
public enum PatchPositions {
    ALL,
    PROMPT,
    COMPLETION,
    LAST;

    public boolean includes(int position, int boundary) {
        return switch (this) {
            case ALL -> true;
            case PROMPT -> position < boundary;
            case COMPLETION -> position >= boundary;
            case LAST -> position == boundary - 1;
        };
    }

    public boolean touchesPrompt() {
        return this != COMPLETION;
    }

    public boolean touchesCompletion() {
        return this == ALL || this == COMPLETION;
    }

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static PatchPositions parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown positions \"" + name + "\": expected all, prompt, completion or last");
        }
    }
}
