package dev.locus;

import dev.locus.fixtures.Fixture;
import java.nio.file.Files;
import java.nio.file.Path;

/** The known-answer fixtures tests share: each kind generated once, seed 1, from the shipped pairs, under target/. */
public final class TestFixtures {
    public static final Path SHIPPED_PAIRS = Path.of("datasets/hh-rlhf-test-512.jsonl");
    public static final long SEED = 1;
    private static final Path ROOT = Path.of("target/claim-fixtures");

    private TestFixtures() {}

    /** {@code target/claim-fixtures/KIND}, generated on first use (a complete fixture has its truth.json, written last). */
    public static synchronized Path of(Fixture.Kind kind) {
        Path dir = ROOT.resolve(kind.label());
        if (!Files.isRegularFile(dir.resolve(Fixture.TRUTH_FILE))) {
            Fixture.generate(kind, SEED, SHIPPED_PAIRS, dir);
        }
        return dir;
    }
}
