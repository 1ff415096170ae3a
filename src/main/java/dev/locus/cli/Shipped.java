package dev.locus.cli;

import java.nio.file.Path;

/** The files a checkout ships that commands default to, found from {@code -Dlocus.home} (bin/locus sets it). */
final class Shipped {
    private Shipped() {}

    static Path home() {
        return Path.of(System.getProperty("locus.home", "."));
    }

    /** {@code datasets/hh-rlhf-test-512.jsonl}: the Anthropic HH test sample. */
    static Path pairs() {
        return home().resolve("datasets").resolve("hh-rlhf-test-512.jsonl");
    }

    /** {@code expectations/NAME.yaml}. */
    static Path expectations(String name) {
        return home().resolve("expectations").resolve(name + ".yaml");
    }
}
