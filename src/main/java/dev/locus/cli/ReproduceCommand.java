package dev.locus.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.locus.LocusException;
import dev.locus.Sha256;
import dev.locus.claims.Expectations;
import dev.locus.claims.Journal;
import dev.locus.claims.Measurement;
import dev.locus.fixtures.Fixture;
import dev.locus.model.ComputeDevice;
import dev.locus.report.Report;
import dev.locus.report.Results;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole reproduction in one command: measure a base/tuned pair once, evaluate the four claims
 * against an expectations file, write the report. Resumable: every finished unit is in the run
 * folder's journal. Exit code 0 when every claim meets its expectation, 1 when one does not (the
 * report is still written), 2 on bad input.
 */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = "Run the four claims on a base/tuned pair (default: a generated localized fixture) and write a report.")
public final class ReproduceCommand implements Callable<Integer> {
    static final int CLAIM_MISSED = 1;
    static final String JOURNAL = "journal.jsonl";

    @Option(names = "--base", description = "Base checkpoint (Hugging Face layout). Without --base/--tuned: a generated localized fixture.")
    Path base;

    @Option(names = "--tuned", description = "Tuned checkpoint, same shapes and tokenizer as the base.")
    Path tuned;

    @Option(names = "--pairs", description = "Preference pairs JSONL (default: the shipped datasets/hh-rlhf-test-512.jsonl).")
    Path pairs;

    @Option(names = "--n", description = "Pairs to sample (default: the expectations file's run.pairs, 80).")
    Integer n;

    @Option(names = "--seed", description = "Sampling, split and bootstrap seed (default: the expectations file's run.seed).")
    Long seed;

    @Option(names = "--expect", description = "Expectations YAML (default: expectations/fixture-localized.yaml for the fixture, "
            + "expectations/llama-3.2-1b.yaml for given checkpoints).")
    Path expect;

    @Option(names = "--point", description = "block_out | resid_post (default: the expectations file's run.site).")
    String point;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (a CUDA build of libtorch; untested here, "
            + "see README \"Running on a GPU\"). Default ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--out", defaultValue = "reports/run", description = "Run folder, created with its parents; never overwritten (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--resume", description = "Continue a killed run in --out, skipping the units its journal holds.")
    boolean resume;

    @Override
    public Integer call() throws IOException {
        long started = System.nanoTime();
        if ((base == null) != (tuned == null)) {
            throw new LocusException(base == null ? tuned : base, base == null ? "--base" : "--tuned",
                    "--base and --tuned go together");
        }
        if (n != null && n < 10) {
            throw new LocusException("--n", "--n", "at least 10 pairs, found " + n, null);
        }
        if (point != null && !List.of("block_out", "resid_post").contains(point)) {
            throw new LocusException("--point", "--point", "expected block_out or resid_post, found \"" + point + "\"", null);
        }
        Device onDevice = ComputeDevice.parse("--device", device);
        prepareRunFolder();
        Path home = Path.of(System.getProperty("locus.home", "."));
        Path pairsFile = pairs != null ? pairs : home.resolve("datasets").resolve("hh-rlhf-test-512.jsonl");
        Path expectationsFile = expect != null ? expect
                : home.resolve("expectations").resolve(base == null ? "fixture-localized.yaml" : "llama-3.2-1b.yaml");
        Expectations expectations = Expectations.read(expectationsFile).overriddenBy(n, seed, point, null);
        Measurement.Subject subject;
        if (base == null) {
            Path fixture = out.resolve("fixture");
            if (!Files.isRegularFile(fixture.resolve(Fixture.TRUTH_FILE))) {
                System.err.println("locus reproduce: no checkpoints given: generating the localized known-answer fixture in " + fixture);
                deleteIfPresent(fixture);
                Fixture.generate(Fixture.Kind.LOCALIZED, 1, pairsFile, fixture);
            }
            subject = new Measurement.Subject("fixture-localized", fixture.resolve("base"), fixture.resolve("tuned"), pairsFile, expectationsFile);
        } else {
            subject = new Measurement.Subject("given checkpoints", base, tuned, pairsFile, expectationsFile);
        }
        Measurement.Plan plan = Measurement.plan(subject, expectations, onDevice);
        String identity = Sha256.ofText(new ObjectMapper().writeValueAsString(plan.provenance()) + new ObjectMapper().writeValueAsString(expectations));
        Map<String, Double> timings = new LinkedHashMap<>();
        Measurement measurement;
        try (Journal journal = Journal.open(out.resolve(JOURNAL), identity, resume)) {
            if (resume && journal.size() > 0) {
                System.err.printf("locus reproduce: resuming %s: %d units already done%n", out, journal.size());
            }
            measurement = Measurement.measure(plan, System.err, journal, timings);
        }
        Results results = Results.of(command(), measurement, expectations);
        Report.write(out, results);
        timings.put("total", (System.nanoTime() - started) / 1e9);
        Files.writeString(out.resolve("timings.json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(timings) + "\n");
        for (Results.Row row : results.verdicts()) {
            System.err.printf("locus reproduce: %-18s %-5s (expected %s)%s%n", row.claim(), row.verdict().label(), row.expected().label(),
                    row.asExpected() ? "" : ": " + row.reason());
        }
        System.err.printf("locus reproduce: %s -> %s (%.0f s)%n", results.allAsExpected() ? "every claim as expected" : "NOT as expected",
                out.resolve(Report.HTML), timings.get("total"));
        return results.allAsExpected() ? 0 : CLAIM_MISSED;
    }

    /** A new run folder, or with --resume the existing one; an existing folder is never overwritten. */
    private void prepareRunFolder() throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new LocusException(out, "--out", "exists and is not a directory");
        }
        for (Path up = out.toAbsolutePath().getParent(); up != null; up = up.getParent()) {
            if (Files.exists(up) && !Files.isDirectory(up)) {
                throw new LocusException(out, "--out", up + " is a file, not a folder");
            }
        }
        if (resume) {
            if (!Files.isRegularFile(out.resolve(JOURNAL))) {
                throw new LocusException(out, "--resume", "no " + JOURNAL + " to resume from");
            }
            return;
        }
        if (Files.exists(out)) {
            try (Stream<Path> entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new LocusException(out, "--out", "exists: a run folder is never overwritten; pass --resume to continue it "
                            + "or choose a new --out");
                }
            }
        }
        Files.createDirectories(out);
    }

    /** The command that reproduces this run, the same for every run of the same inputs (no output folder, no --resume). */
    private String command() {
        List<String> words = new ArrayList<>(List.of("bin/locus", "reproduce"));
        if (base != null) {
            words.addAll(List.of("--base", base.toString(), "--tuned", tuned.toString()));
        }
        if (pairs != null) {
            words.addAll(List.of("--pairs", pairs.toString()));
        }
        if (n != null) {
            words.addAll(List.of("--n", n.toString()));
        }
        if (seed != null) {
            words.addAll(List.of("--seed", seed.toString()));
        }
        if (expect != null) {
            words.addAll(List.of("--expect", expect.toString()));
        }
        if (point != null) {
            words.addAll(List.of("--point", point));
        }
        if (!device.equals("cpu")) {
            words.addAll(List.of("--device", device));
        }
        words.addAll(List.of("--out", "NEW_RUN_FOLDER"));
        return String.join(" ", words);
    }

    private static void deleteIfPresent(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
