package dev.locus.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.locus.ResidentMemory;
import dev.locus.LocusException;
import dev.locus.claims.ClaimResult;
import dev.locus.claims.Drift;
import dev.locus.claims.Expectations;
import dev.locus.claims.Results;
import dev.locus.fixtures.Fixture;
import dev.locus.hub.CheckpointSource;
import dev.locus.hub.HubEnvironment;
import dev.locus.measure.InProcess;
import dev.locus.measure.Journal;
import dev.locus.measure.Measurement;
import dev.locus.measure.Plan;
import dev.locus.measure.Runner;
import dev.locus.measure.Subject;
import dev.locus.model.ComputeDevice;
import dev.locus.model.Point;
import dev.locus.regression.Baseline;
import dev.locus.regression.Comparison;
import dev.locus.regression.RunIdentity;
import dev.locus.report.Report;
import dev.locus.spark.SparkRunner;
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
 * report is still written) or when the run regressed against its --baseline, 2 on bad input.
 */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = "Run the four claims on a base/tuned pair (default: a generated localized fixture) and write a report.")
public final class ReproduceCommand implements Callable<Integer> {
    static final int ALL_MET = 0;
    static final int CLAIM_MISSED = 1;
    static final String JOURNAL = "journal.jsonl";

    @Option(names = "--base", description = "Base checkpoint: a folder (Hugging Face layout) or a Hub model ORG/NAME[@REVISION] "
            + "(see README \"Checkpoints from the Hugging Face Hub\"). Without --base/--tuned: a generated localized fixture.")
    CheckpointSource base;

    @Option(names = "--tuned", description = "Tuned checkpoint (a folder or ORG/NAME[@REVISION]), same shapes and tokenizer as the base.")
    CheckpointSource tuned;

    @Option(names = "--pairs", description = "Preference pairs JSONL (default: the shipped datasets/hh-rlhf-test-512.jsonl).")
    Path pairs;

    @Option(names = "--n", description = "Pairs to sample (default: the expectations file's run.pairs, 80).")
    Integer n;

    @Option(names = "--seed", description = "Sampling, split and bootstrap seed (default: the expectations file's run.seed).")
    Long seed;

    @Option(names = "--expect", description = "Expectations YAML (default: expectations/fixture-localized.yaml for the fixture, "
            + "expectations/llama-3.2-1b.yaml for given checkpoints).")
    Path expect;

    @Option(names = "--site", description = "block_out | resid_post (default: the expectations file's run.site).")
    String site;

    /** The old name of --site, read with a deprecation line: it named a site, not a point. */
    @Option(names = "--point", hidden = true)
    String deprecatedPoint;

    @Option(names = "--baseline", description = "An accepted earlier run (its folder or results.json) on the same pairs, seed and "
            + "expectations: this run is compared with it, and a regression exits 1.")
    Path baseline;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (a CUDA build of libtorch; untested here, "
            + "see README \"Running on a GPU\"). Default ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--out", defaultValue = "reports/run", description = "Run folder, created with its parents; never overwritten (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--resume", description = "Continue a killed run in --out, skipping the units its journal holds (with or "
            + "without --spark, whichever made them).")
    boolean resume;

    @Option(names = "--spark", arity = "0..1", fallbackValue = SparkRunner.SUBMITTED, paramLabel = "MASTER",
            description = "Run the per-pair work as Spark tasks on MASTER: local[N], local[*], spark://HOST:PORT, or any master "
                    + "Spark takes; bare --spark under spark-submit takes its master (README \"Scale-out on Spark\"). "
                    + "Default: in this JVM.")
    String spark;

    /** The checkpoints as found: folders, Hub names resolved to their commits. */
    private CheckpointSource.Located baseFound;
    private CheckpointSource.Located tunedFound;

    @Override
    public Integer call() throws IOException {
        long started = System.nanoTime();
        if ((base == null) != (tuned == null)) {
            throw new LocusException(String.valueOf(base == null ? tuned : base), base == null ? "--base" : "--tuned",
                    "--base and --tuned go together", null);
        }
        if (n != null && n < Plan.MIN_PAIRS) {
            throw new LocusException("--n", "--n", "at least " + Plan.MIN_PAIRS + " pairs, found " + n, null);
        }
        if (deprecatedPoint != null) {
            if (site != null) {
                throw new LocusException("--point", "--point", "given with --site: --point is the old name of --site, keep only --site", null);
            }
            System.err.println("locus reproduce: --point is deprecated: it was renamed --site (it names a site, block_out or resid_post)");
            site = deprecatedPoint;
        }
        Point.Site patched = site == null ? null : parseSite(site);
        Device onDevice = ComputeDevice.parse("--device", device);
        Baseline accepted = baseline == null ? null : Baseline.read(baseline);
        checkRunFolder();
        Path pairsFile = pairs != null ? pairs : Shipped.pairs();
        Path expectationsFile = expect != null ? expect : Shipped.expectations(base == null ? "fixture-localized" : "llama-3.2-1b");
        Expectations expectations = Expectations.read(expectationsFile).overriddenBy(n, seed, patched, null);
        Subject subject;
        if (base == null) {
            Files.createDirectories(out);
            Path fixture = out.resolve("fixture");
            if (!Files.isRegularFile(fixture.resolve(Fixture.TRUTH_FILE))) {
                System.err.println("locus reproduce: no checkpoints given: generating the localized known-answer fixture in " + fixture);
                deleteIfPresent(fixture);
                Fixture.generate(Fixture.Kind.LOCALIZED, 1, pairsFile, fixture);
            }
            subject = new Subject("fixture-localized", fixture.resolve("base"), fixture.resolve("tuned"), pairsFile, expectationsFile);
        } else {
            HubEnvironment hub = HubEnvironment.current();
            baseFound = base.locate(hub, System.err);
            tunedFound = tuned.locate(hub, System.err);
            subject = new Subject("given checkpoints", baseFound.dir(), tunedFound.dir(), pairsFile, expectationsFile, baseFound.origin(),
                    tunedFound.origin());
        }
        Plan plan = Plan.of(subject, expectations.protocol(), onDevice);
        if (accepted != null) {
            accepted.requireComparable(RunIdentity.of(plan, expectations));
        }
        Files.createDirectories(out);
        Map<String, Double> timings = new LinkedHashMap<>();
        Measurement measurement;
        String runnerUsed;
        // Spark starts before the journal opens: a cluster that refuses leaves no run half begun.
        try (Runner runner = spark == null ? null : SparkRunner.start(spark, plan, System.err);
                Journal journal = Journal.open(out.resolve(JOURNAL), Journal.identity(plan), resume)) {
            if (resume && journal.size() > 0) {
                System.err.printf("locus reproduce: resuming %s: %d units already done%n", out, journal.size());
            }
            measurement = runner == null ? plan.measure(System.err, journal, timings) : plan.measure(runner, System.err, journal, timings);
            runnerUsed = runner == null ? InProcess.DESCRIPTION : runner.describe();
        }
        Results results = Results.of(command(), plan.provenance().withConfig(Runner.PROVENANCE_KEY, runnerUsed), measurement, expectations);
        Comparison comparison = accepted == null ? null : accepted.compare(results);
        Report.write(out, results, comparison == null ? null : new Report.Against(accepted, comparison));
        timings.put("total", (System.nanoTime() - started) / 1e9);
        Map<String, Object> timingsFile = new LinkedHashMap<>(timings);
        timingsFile.putAll(ResidentMemory.now().fields());
        Files.writeString(out.resolve("timings.json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(timingsFile) + "\n");
        for (ClaimResult r : results.claims().all()) {
            System.err.printf("locus reproduce: %-18s %-5s (expected %s)%s%n", r.claim(), r.outcome().verdict().label(),
                    r.outcome().expectation(), r.asExpected() ? "" : ": " + r.outcome().reason());
        }
        if (comparison != null) {
            System.err.print(comparison.table());
            System.err.printf("locus reproduce: against the baseline %s: %s%n", comparison.baseline(), comparison.regressed()
                    ? comparison.regressions().size() + " regression(s): " + comparison.regressions().stream().map(Drift::sentence)
                            .collect(java.util.stream.Collectors.joining("; "))
                    : "no regression");
        }
        boolean regressed = comparison != null && comparison.regressed();
        String verdict = results.allAsExpected() ? "every claim as expected" : "NOT as expected";
        if (comparison != null) {
            verdict += regressed ? (results.allAsExpected() ? ", but " : ", and ") + "REGRESSED against the baseline ("
                    + comparison.regressions().size() + ")" : ", no regression against the baseline";
        }
        boolean passed = results.allAsExpected() && !regressed;
        System.err.printf("locus reproduce: %s -> %s (%.0f s)%n", verdict, out.resolve(Report.HTML), timings.get("total"));
        return passed ? ALL_MET : CLAIM_MISSED;
    }

    static Point.Site parseSite(String name) {
        Point.Site s = List.of(Point.Site.values()).stream().filter(v -> v.label().equals(name)).findFirst().orElse(null);
        if (s != Point.Site.BLOCK_OUT && s != Point.Site.RESID_POST) {
            throw new LocusException("--site", "--site", "expected block_out or resid_post, found \"" + name + "\"", null);
        }
        return s;
    }

    /**
     * The run folder must be new (or empty), or with --resume hold a journal; an existing folder is
     * never overwritten. Checked before anything is read or written; the folder is made once the
     * inputs are known good.
     */
    private void checkRunFolder() throws IOException {
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
    }

    /** The command that reproduces this run, the same for every run of the same inputs (no output folder, no --resume). */
    private String command() {
        List<String> words = new ArrayList<>(List.of("bin/locus", "reproduce"));
        if (base != null) {
            words.addAll(List.of("--base", baseFound.pinned(), "--tuned", tunedFound.pinned()));
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
        if (site != null) {
            words.addAll(List.of("--site", site));
        }
        if (baseline != null) {
            words.addAll(List.of("--baseline", baseline.toString()));
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
