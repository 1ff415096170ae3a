package dev.locus.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.LocusException;
import dev.locus.Progress;
import dev.locus.Provenance;
import dev.locus.claims.Expectations;
import dev.locus.claims.Results;
import dev.locus.fixtures.Fixture;
import dev.locus.model.Checkpoint;
import dev.locus.model.Family;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Every known-answer fixture kind and family over many seeds, each generated and reproduced as a
 * user would ({@code bin/locus fixture}, then {@code bin/locus reproduce --expect
 * expectations/fixture-KIND.yaml}) in child JVMs, {@code jobs} at once, and held to its kind's
 * declarations ({@link SeedSweep}). Writes {@code seed-sweep.md} and {@code seed-sweep.json} with
 * the expectations held to (copied at the start) and each fixture's folder.
 *
 * @param jobs fixtures at once, or null for one per core
 * @param shippedExpectations a kind's shipped expectations file
 * @param locus runs {@code bin/locus ARGS} in a child JVM with a number of threads, its output to a log; its exit code
 * @param claimMissed the exit code of a reproduction that finished with a claim not as expected
 */
public record SeedSweepRun(List<Family> families, List<Fixture.Kind> kinds, List<Long> seeds, Integer jobs, Path out, Path pairs,
        Function<Fixture.Kind, Path> shippedExpectations, Locus locus, int claimMissed) {

    /** The exit code when a fixture is not as declared or could not be measured. */
    public static final int DEPARTED = 1;
    static final String EXPECTATIONS = "expectations";

    /** {@code bin/locus} in a child JVM. */
    @FunctionalInterface
    public interface Locus {
        int run(int threads, Path log, String... args) throws IOException, InterruptedException;
    }

    /** Measures every fixture; returns 0 when every one is as declared, {@link #DEPARTED} when not. */
    public int run() throws IOException, InterruptedException {
        int cores = Runtime.getRuntime().availableProcessors();
        int parallel = jobs == null ? cores : jobs;
        if (parallel < 1) {
            throw new LocusException("--jobs", "--jobs", "at least 1, found " + parallel, null);
        }
        if (Files.exists(out)) {
            try (Stream<Path> entries = Files.isDirectory(out) ? Files.list(out) : Stream.of(out)) {
                if (entries.findAny().isPresent()) {
                    throw new LocusException(out, "--out", "exists: choose a new folder");
                }
            }
        }
        Files.createDirectories(out.resolve(EXPECTATIONS));
        // Each kind's file as it is now: an edit during a sweep of an hour changes no row, and the sweep records what it held to.
        for (Fixture.Kind kind : kinds) {
            Files.copy(shippedExpectations.apply(kind), expectations(kind));
        }
        List<Callable<SeedSweep.Row>> tasks = new ArrayList<>();
        int threads = Math.max(1, cores / parallel);
        try (Progress progress = Progress.of("locus seed-sweep", (long) families.size() * kinds.size() * seeds.size(), 0,
                "fixtures")) {
            for (Family family : families) {
                for (Fixture.Kind kind : kinds) {
                    for (long seed : seeds) {
                        tasks.add(() -> {
                            SeedSweep.Row row = measure(family, kind, seed, threads);
                            synchronized (progress) {
                                System.err.printf(Locale.ROOT, "locus seed-sweep: %s %s seed %d: %s (%.0f s)%n", family.modelType(),
                                        kind.label(), seed, row.error() != null ? "NOT MEASURED: " + row.error()
                                                : String.join(" ", row.verdicts()) + (row.asDeclared() ? ", as declared" : ", NOT as declared"),
                                        row.seconds());
                                progress.step();
                            }
                            return row;
                        });
                    }
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(parallel);
            List<SeedSweep.Row> rows = new ArrayList<>();
            try {
                for (Future<SeedSweep.Row> f : pool.invokeAll(tasks)) {
                    rows.add(f.get());
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("a seed-sweep row failed outside its child JVMs", e.getCause());
            } finally {
                pool.shutdownNow();
            }
            return report(rows, parallel, threads);
        }
    }

    private int report(List<SeedSweep.Row> rows, int parallel, int threads) throws IOException {
        String table = SeedSweep.table(rows);
        Files.writeString(out.resolve("seed-sweep.md"), table, StandardCharsets.UTF_8);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        Provenance.Builder provenance = Provenance.of("locus seed-sweep").config("families",
                families.stream().map(Family::modelType).toList().toString()).config("kinds",
                kinds.stream().map(Fixture.Kind::label).toList().toString()).config("seeds", seeds.toString())
                .config("jobs", parallel).config("threads_per_job", threads).file("pairs", pairs);
        kinds.forEach(kind -> provenance.file("expectations/fixture-" + kind.label() + ".yaml", expectations(kind)));
        root.set("provenance", json.valueToTree(provenance.build()));
        root.set("rows", json.valueToTree(rows));
        Files.writeString(out.resolve("seed-sweep.json"), json.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
        System.out.print(table);
        List<String> departures = SeedSweep.departures(rows);
        long declared = rows.stream().filter(SeedSweep.Row::asDeclared).count();
        System.err.printf(Locale.ROOT, "locus seed-sweep: %d of %d fixtures as declared -> %s%n", declared, rows.size(),
                out.resolve("seed-sweep.md"));
        departures.forEach(d -> System.err.println("locus seed-sweep: NOT as declared: " + d));
        return departures.isEmpty() ? 0 : DEPARTED;
    }

    /** One fixture: generated and reproduced by child JVMs, as a user's two commands; its row from the run's results.json. */
    private SeedSweep.Row measure(Family family, Fixture.Kind kind, long seed, int threads) throws IOException, InterruptedException {
        long started = System.nanoTime();
        Path dir = out.resolve(family.modelType() + "-" + kind.label() + "-" + seed);
        Files.createDirectories(dir);
        Path fixture = dir.resolve("fixture");
        Path run = dir.resolve("run");
        Path expectations = expectations(kind);
        int generated = locus.run(threads, dir.resolve("fixture.log"), "fixture", "--kind", kind.label(), "--family", family.modelType(),
                "--seed", Long.toString(seed), "--out", fixture.toString());
        if (generated != 0) {
            return SeedSweep.unmeasured(family.modelType(), kind.label(), seed, seconds(started),
                    "bin/locus fixture exited " + generated + ", see " + dir.resolve("fixture.log"));
        }
        int reproduced = locus.run(threads, dir.resolve("reproduce.log"), "reproduce", "--base", fixture.resolve("base").toString(),
                "--tuned", fixture.resolve("tuned").toString(), "--expect", expectations.toString(), "--out", run.toString());
        for (String model : List.of("base", "tuned")) {
            Files.deleteIfExists(fixture.resolve(model).resolve(Checkpoint.SINGLE_FILE));
        }
        if (reproduced != 0 && reproduced != claimMissed) {
            return SeedSweep.unmeasured(family.modelType(), kind.label(), seed, seconds(started),
                    "bin/locus reproduce exited " + reproduced + ", see " + dir.resolve("reproduce.log"));
        }
        return SeedSweep.row(family.modelType(), kind.label(), seed, Results.read(run), Expectations.read(expectations), seconds(started));
    }

    private Path expectations(Fixture.Kind kind) {
        return out.resolve(EXPECTATIONS).resolve("fixture-" + kind.label() + ".yaml");
    }

    private static double seconds(long started) {
        return (System.nanoTime() - started) / 1e9;
    }
}
