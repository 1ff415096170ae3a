package dev.locus.cli;

import dev.locus.fixtures.Fixture;
import dev.locus.model.Family;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes a base/tuned checkpoint pair whose answer is planted, and its truth.json. */
@Command(name = "fixture", mixinStandardHelpOptions = true,
        description = "Write a known-answer base/tuned pair: DIR/base, DIR/tuned (config.json, model.safetensors, tokenizer.json) and DIR/truth.json.")
public final class FixtureCommand implements Callable<Integer> {
    @Option(names = "--kind", required = true, description = "localized | diffuse | null")
    String kind;

    @Option(names = "--seed", defaultValue = "1", description = "Base weights seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--layer", description = "localized: the block the answer is planted in, its backup in the next "
            + "(default " + Fixture.LOCALIZED_LAYER + "; 0..6).")
    Integer layer;

    @Option(names = "--family", defaultValue = "llama", description = "The checkpoints' layout: llama | qwen2 | mistral | gemma2 "
            + "(default ${DEFAULT-VALUE})")
    String family;

    @Option(names = "--pairs", description = "Pairs whose text trains the tokenizer and whose margins the planted bias raises "
            + "(default: the shipped datasets/hh-rlhf-test-512.jsonl)")
    Path pairs;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        Fixture.Kind k = Arguments.parse("--kind", kind, Fixture.Kind::parse);
        if (java.nio.file.Files.exists(out) && !java.nio.file.Files.isDirectory(out)) {
            throw new dev.locus.LocusException(out, "--out", "exists and is not a directory");
        }
        Fixture.Written written = Fixture.generate(k, seed, layer, Arguments.parse("--family", family, Family::parse), pairs != null ? pairs : Shipped.pairs(), out);
        System.err.printf("locus fixture: %s %s seed %d -> %s, %s, %s (%.1f s); by the fit's approximation the planted bias "
                + "raises %.1f %% of the fitted pairs' margins%n", family, k.label(), seed, written.base(), written.tuned(), written.truth(),
                (System.nanoTime() - start) / 1e9, 100 * written.fitFractionPositive());
        return 0;
    }
}
