package dev.locus.cli;

import dev.locus.LocusException;
import dev.locus.bench.SeedSweepRun;
import dev.locus.fixtures.Fixture;
import dev.locus.model.Family;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/locus seed-sweep}: its options read into a {@link SeedSweepRun}, whose child JVMs are
 * this one's Java, options and class path. Not part of {@code mvn verify}: a row takes a minute or two.
 */
@Command(name = "seed-sweep", mixinStandardHelpOptions = true,
        description = "Generate and reproduce each fixture kind and family over many seeds; a table of verdicts and key numbers. "
                + "Exit 0 when every seed gives exactly its kind's declared verdicts (and planted truth), 1 when one does not.")
public final class SeedSweepCommand implements Callable<Integer> {
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
        if (jobs != null && jobs < 1) {
            throw new LocusException("--jobs", "--jobs", "at least 1, found " + jobs, null);
        }
        return new SeedSweepRun(familyList, kindList, parseSeeds(seeds), jobs, out, Shipped.pairs(),
                kind -> Shipped.expectations("fixture-" + kind.label()), SeedSweepCommand::child, ReproduceCommand.CLAIM_MISSED).run();
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

}
