package dev.locus.regression;

import dev.locus.Sha256;
import dev.locus.claims.Results;
import java.nio.file.Path;

/**
 * An accepted earlier run that later runs are held against: its results file, that file's sha256
 * (recorded in every comparison) and the results themselves.
 */
public record Baseline(Path file, String sha256, Results results) {
    /** Reads a run folder (or its {@code results.json}); an unreadable one is refused naming the file. */
    public static Baseline read(Path runOrFile) {
        Results results = Results.read(runOrFile);
        Path file = Results.fileOf(runOrFile);
        return new Baseline(file, Sha256.of(file), results);
    }

    /** Refuses this baseline for a run of another identity, before that run is measured. */
    public void requireComparable(RunIdentity run) {
        Comparison.requireComparable(file, RunIdentity.of(results), run);
    }

    public Comparison compare(Results now) {
        return Comparison.of(file, sha256, results, now);
    }
}
