package dev.locus.cli;

import dev.locus.LocusException;
import java.util.function.Function;

/** A command-line value read by a library's parser: its refusal becomes the user's bad input, naming the option. */
final class Arguments {
    private Arguments() {}

    static <T> T parse(String option, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new LocusException("command line", option, e.getMessage(), e);
        }
    }
}
