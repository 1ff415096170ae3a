package dev.locus.cli;

import dev.locus.LocusException;
import dev.locus.patching.MarginRun;
import dev.locus.patching.PairEncoder;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Pairs from a file, as the commands that read one take them. */
final class PairsOptions {
    @Option(names = "--pairs", required = true, description = "JSONL of {id, prompt, chosen, rejected, subset?}.")
    Path pairs;

    @Option(names = "--limit", description = "Only the first N pairs of the file.")
    Integer limit;

    @Option(names = "--sample", description = "A seeded sample of N pairs, stratified by subset (e.g. 80).")
    Integer sample;

    @Option(names = "--format", defaultValue = "raw", description = "raw | chat (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--max-tokens", description = "Skip (and report) pairs longer than this (default: max_position_embeddings).")
    Integer maxTokens;

    MarginRun.Pairs read() {
        if (limit != null && limit < 1) {
            throw new LocusException("--limit", "--limit", "must be at least 1, found " + limit, null);
        }
        if (sample != null && sample < 1) {
            throw new LocusException("--sample", "--sample", "must be at least 1, found " + sample, null);
        }
        return new MarginRun.Pairs(pairs, limit, sample, Arguments.parse("--format", format, PairEncoder.Format::parse), maxTokens);
    }
}
