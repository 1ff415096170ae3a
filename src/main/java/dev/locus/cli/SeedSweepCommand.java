package dev.locus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.LocusException;
import dev.locus.Progress;
import dev.locus.Provenance;
import dev.locus.bench.SeedSweep;
import dev.locus.claims.Expectations;
import dev.locus.claims.Results;
import dev.locus.fixtures.Fixture;
import dev.locus.model.Family;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Every known-answer fixture kind and family over many seeds, each generated and reproduced as a
 * user would ({@code bin/locus fixture}, then {@code bin/locus reproduce --expect
 * expectations/fixture-KIND.yaml}), in child JVMs of this one, and held to its declarations. Not
 * part of {@code mvn verify}: a row takes a minute or two.
 */
@Command(name = "seed-sweep", mixinStandardHelpOptions = true,
        description = "Generate and reproduce each fixture kind and family over many seeds; a table of verdicts and key numbers. "
                + "Exit 0 when every seed gives exactly its kind's declared verdicts (and planted truth), 1 when one does not.")
public final class SeedSweepCommand implements Callable<Integer> {
    static final int DEPARTED = 1;
    static final String EXPECTATIONS = "expectations";

    @Option(names = "--families", split = ",", defaultValue = "llama", description = "llama, qwen2, mistral, gemma2 (default ${DEFAULT-VALUE}).")
    List<String> families;

    @Option(names = "--kinds", split = ",", defaultValue = "localized,diffuse,null",
            description = "localized, diffuse, null (default ${DEFAULT-VALUE}).")
    List<String> kinds;

    @Option(names = "--seeds", defaultValue = "1-5", description = "Fixture seeds: a list of seeds and ranges, e.g. 1-20 or 7,11-14 "
            + "(default ${DEFAULT-VALUE}).")
    String seeds;

    @Option(names = "--jobs", description = "Fixtures measured at once, each in its own JVM with its share of the cores' threads "
            + "(default: one per core; a fixture's products are too small to use more than one core).")
    Integer jobs;

    @Option(names = "--out", required = true, description = "A new folder: seed-sweep.md, seed-sweep.json, the expectations files "
            + "held to (copied at the start) and, per fixture, its truth.json, run folder and logs (the checkpoints are deleted once "
            + "measured: the seed regenerates them).")
    Path out;

    @Override
    public Integer call() throws Exception {
        List<Family> familyList = parseEach(families, Family::parse, "--families");
        List<Fixture.Kind> kindList = parseEach(kinds, Fixture.Kind::parse, "--kinds");
        List<Long> seedList = parseSeeds(seeds);
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
        for (Fixture.Kind kind : kindList) {
            Files.copy(Shipped.expectations("fixture-" + kind.label()), expectations(kind));
        }
        List<Callable<SeedSweep.Row>> tasks = new ArrayList<>();
        int threads = Math.max(1, cores / parallel);
        try (Progress progress = Progress.of("locus seed-sweep", (long) familyList.size() * kindList.size() * seedList.size(), 0,
                "fixtures")) {
            for (Family family : familyList) {
                for (Fixture.Kind kind : kindList) {
                    for (long seed : seedList) {
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
            return report(rows, familyList, kindList, seedList, parallel, threads);
        }
    }

    private int report(List<SeedSweep.Row> rows, List<Family> familyList, List<Fixture.Kind> kindList, List<Long> seedList, int parallel,
            int threads) throws IOException {
        String table = SeedSweep.table(rows);
        Files.writeString(out.resolve("seed-sweep.md"), table, StandardCharsets.UTF_8);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        Provenance.Builder provenance = Provenance.of("locus seed-sweep").config("families",
                familyList.stream().map(Family::modelType).toList().toString()).config("kinds",
                kindList.stream().map(Fixture.Kind::label).toList().toString()).config("seeds", seedList.toString())
                .config("jobs", parallel).config("threads_per_job", threads).file("pairs", Shipped.pairs());
        kindList.forEach(kind -> provenance.file("expectations/fixture-" + kind.label() + ".yaml", expectations(kind)));
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
        int generated = child(threads, dir.resolve("fixture.log"), "fixture", "--kind", kind.label(), "--family", family.modelType(),
                "--seed", Long.toString(seed), "--out", fixture.toString());
        if (generated != 0) {
            return SeedSweep.unmeasured(family.modelType(), kind.label(), seed, seconds(started),
                    "bin/locus fixture exited " + generated + ", see " + dir.resolve("fixture.log"));
        }
        int reproduced = child(threads, dir.resolve("reproduce.log"), "reproduce", "--base", fixture.resolve("base").toString(),
                "--tuned", fixture.resolve("tuned").toString(), "--expect", expectations.toString(), "--out", run.toString());
        for (String model : List.of("base", "tuned")) {
            Files.deleteIfExists(fixture.resolve(model).resolve(dev.locus.model.Checkpoint.SINGLE_FILE));
        }
        if (reproduced != 0 && reproduced != ReproduceCommand.CLAIM_MISSED) {
            return SeedSweep.unmeasured(family.modelType(), kind.label(), seed, seconds(started),
                    "bin/locus reproduce exited " + reproduced + ", see " + dir.resolve("reproduce.log"));
        }
        return SeedSweep.row(family.modelType(), kind.label(), seed, Results.read(run), Expectations.read(expectations), seconds(started));
    }

    private Path expectations(Fixture.Kind kind) {
        return out.resolve(EXPECTATIONS).resolve("fixture-" + kind.label() + ".yaml");
    }

    /**
     * {@code bin/locus ARGS} in a child JVM with this one's Java, options and class path; its
     * output to {@code log}. The child's OpenBLAS and libtorch pools get {@code threads} each (the
     * cores shared out between jobs), so jobs do not spin against each other.
     */
    private static int child(int threads, Path log, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(new LinkedHashSet<>(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
        Process p = builder.start();
        try {
            return p.waitFor();
        } finally {
            p.destroyForcibly();
        }
    }

    /** Each name parsed, a refusal named by this command's option (the parsers name the single-valued one). */
    private static <T> List<T> parseEach(List<String> names, java.util.function.Function<String, T> parse, String option) {
        try {
            return names.stream().map(String::strip).map(parse).distinct().toList();
        } catch (IllegalArgumentException e) {
            throw new LocusException(option, option, e.getMessage().replaceFirst("^--\\w+: ", ""), null);
        }
    }

    /** {@code 1-20}, {@code 7,11-14}: seeds in the order given, each once. */
    static List<Long> parseSeeds(String spec) {
        LinkedHashSet<Long> seeds = new LinkedHashSet<>();
        for (String part : spec.split(",")) {
            String p = part.strip();
            try {
                int dash = p.indexOf('-', 1);
                if (dash < 0) {
                    seeds.add(Long.parseLong(p));
                } else {
                    long from = Long.parseLong(p.substring(0, dash));
                    long to = Long.parseLong(p.substring(dash + 1));
                    if (to < from || to - from > 10_000) {
                        throw new NumberFormatException("range " + p);
                    }
                    for (long s = from; s <= to; s++) {
                        seeds.add(s);
                    }
                }
            } catch (NumberFormatException e) {
                throw new LocusException("--seeds", "--seeds", "expected seeds and ranges such as 1-20 or 7,11-14, found \"" + spec + "\"",
                        null);
            }
        }
        return List.copyOf(seeds);
    }

    private static double seconds(long started) {
        return (System.nanoTime() - started) / 1e9;
    }
}
