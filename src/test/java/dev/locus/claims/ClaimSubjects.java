package dev.locus.claims;

import ai.djl.Device;
import dev.locus.TestFixtures;
import dev.locus.fixtures.Fixture;
import dev.locus.hub.CheckpointSource;
import dev.locus.hub.HubEnvironment;
import dev.locus.hub.HubOrigin;
import dev.locus.measure.InProcess;
import dev.locus.measure.Journal;
import dev.locus.measure.Measurement;
import dev.locus.measure.Plan;
import dev.locus.measure.Runner;
import dev.locus.measure.Subject;
import dev.locus.regression.Baseline;
import dev.locus.regression.Comparison;
import dev.locus.regression.RunIdentity;
import dev.locus.report.Report;
import dev.locus.spark.SparkRunner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The checkpoint pairs the claim specs run on. With {@code -Dlocus.base=DIR -Dlocus.tuned=DIR} (each a
 * folder or a Hub model {@code ORG/NAME[@REVISION]})
 * (and optionally {@code locus.pairs}, {@code locus.expectations}, {@code locus.baseline}): that
 * pair, its run folder {@code target/claims/}. Without: the three generated fixtures, each against
 * its own expectations, run folders {@code target/claims/fixture-KIND/}. Each subject is measured
 * once per JVM and shared by every spec; its run folder gets {@code results.json} and the report,
 * as {@code bin/locus reproduce} writes them. With {@code -Dlocus.spark=MASTER} every subject's
 * per-pair work runs as Spark tasks, as {@code reproduce --spark MASTER} runs it.
 */
final class ClaimSubjects {
    static final Path DEFAULT_PAIRS = TestFixtures.SHIPPED_PAIRS;
    static final Path PAPER_EXPECTATIONS = Path.of("expectations/llama-3.2-1b.yaml");
    static final Path RESULTS = Path.of("target/claims");
    static final String CUSTOM = "custom";

    /** A measured subject: its plan, measurement, the claims evaluated, the comparison with a baseline (or null), its run folder. */
    record Evaluated(Subject subject, Expectations expectations, Plan plan, Measurement measurement, Results results,
            Baseline baseline, Comparison comparison, Path folder) {
        Claims claims() {
            return results.claims();
        }
    }

    private static final Map<Subject, Evaluated> EVALUATED = new ConcurrentHashMap<>();

    private ClaimSubjects() {}

    static List<Subject> all() {
        String base = System.getProperty("locus.base");
        String tuned = System.getProperty("locus.tuned");
        Path pairs = Path.of(System.getProperty("locus.pairs", DEFAULT_PAIRS.toString()));
        if (base != null || tuned != null) {
            if (base == null || tuned == null) {
                throw new IllegalArgumentException("-Dlocus.base and -Dlocus.tuned go together: found only "
                        + (base == null ? "locus.tuned" : "locus.base"));
            }
            return List.of(custom(base, tuned, pairs));
        }
        if (System.getProperty("locus.baseline") != null) {
            throw new IllegalArgumentException("-Dlocus.baseline compares a run of -Dlocus.base and -Dlocus.tuned with an earlier one: "
                    + "give them too");
        }
        List<Subject> subjects = new ArrayList<>();
        for (Fixture.Kind kind : Fixture.Kind.values()) {
            Subject own = fixture(kind);
            subjects.add(new Subject(own.name(), own.base(), own.tuned(), pairs,
                    Path.of(System.getProperty("locus.expectations", own.expectationsFile().toString()))));
        }
        return subjects;
    }

    /**
     * The pair the command line names, each a folder or a Hub model {@code ORG/NAME[@REVISION]}
     * (fetched into the Hub cache once per JVM, as {@code bin/locus reproduce} fetches it).
     */
    private static synchronized Subject custom(String base, String tuned, Path pairs) {
        if (custom == null) {
            Path expectations = Path.of(System.getProperty("locus.expectations", PAPER_EXPECTATIONS.toString()));
            HubEnvironment hub = HubEnvironment.current();
            CheckpointSource.Located b = CheckpointSource.parse(base).locate(hub, System.err);
            CheckpointSource.Located t = CheckpointSource.parse(tuned).locate(hub, System.err);
            custom = new Subject(CUSTOM, b.dir(), t.dir(), pairs, expectations, b.origin(), t.origin());
        }
        return custom;
    }

    private static Subject custom;

    /** A fixture kind held to its own expectations on the shipped pairs, whatever the command line says. */
    static Subject fixture(Fixture.Kind kind) {
        Path dir = Path.of("target/claim-fixtures", kind.label());
        return new Subject("fixture-" + kind.label(), dir.resolve("base"), dir.resolve("tuned"), DEFAULT_PAIRS,
                Path.of("expectations/fixture-" + kind.label() + ".yaml"));
    }

    /** The baseline given by {@code -Dlocus.baseline}, or null. */
    static Path baselineGiven() {
        String given = System.getProperty("locus.baseline");
        return given == null ? null : Path.of(given);
    }

    static synchronized Evaluated evaluated(Subject subject) {
        Evaluated done = EVALUATED.get(subject);
        if (done != null) {
            return done;
        }
        Expectations expectations = Expectations.read(subject.expectationsFile());
        Baseline baseline = subject.name().equals(CUSTOM) && baselineGiven() != null ? Baseline.read(baselineGiven()) : null;
        if (subject.name().startsWith("fixture-")) {
            TestFixtures.of(Fixture.Kind.parse(subject.name().substring("fixture-".length())));
        }
        PrintStream log = System.err;
        long started = System.nanoTime();
        Plan plan = Plan.of(subject, expectations.protocol(), Device.cpu());
        if (baseline != null) {
            baseline.requireComparable(RunIdentity.of(plan, expectations));
        }
        String spark = System.getProperty("locus.spark");
        Measurement measurement;
        String runner = InProcess.DESCRIPTION;
        if (spark == null) {
            measurement = plan.measure(log, Journal.none(), new LinkedHashMap<>());
        } else {
            try (Runner onSpark = SparkRunner.start(spark, plan, log)) {
                measurement = plan.measure(onSpark, log, Journal.none(), new LinkedHashMap<>());
                runner = onSpark.describe();
            }
        }
        log.printf("locus claims: %s measured in %.1f s%n", subject.name(), (System.nanoTime() - started) / 1e9);
        Results results = Results.of(command(subject), plan.provenance().withConfig(Runner.PROVENANCE_KEY, runner), measurement, expectations);
        Comparison comparison = baseline == null ? null : baseline.compare(results);
        Path folder = subject.name().equals(CUSTOM) ? RESULTS : RESULTS.resolve(subject.name());
        Report.write(folder, results, comparison == null ? null : new Report.Against(baseline, comparison));
        Evaluated e = new Evaluated(subject, expectations, plan, measurement, results, baseline, comparison, folder);
        EVALUATED.put(subject, e);
        return e;
    }

    /** The command that reproduces a subject's run: the gate's own Maven command line. */
    private static String command(Subject subject) {
        if (!subject.name().equals(CUSTOM)) {
            return "mvn -B verify";
        }
        StringBuilder c = new StringBuilder("mvn -B verify -Dgroups=claim -Dlocus.base=" + pinned(subject.base(), subject.baseOrigin())
                + " -Dlocus.tuned=" + pinned(subject.tuned(), subject.tunedOrigin()) + " -Dlocus.pairs=" + subject.pairs() + " -Dlocus.expectations=" + subject.expectationsFile());
        if (baselineGiven() != null) {
            c.append(" -Dlocus.baseline=").append(baselineGiven());
        }
        return c.toString();
    }

    /** A folder as given, a Hub model at the commit it resolved to, so the command measures the same bytes later. */
    private static String pinned(Path dir, HubOrigin origin) {
        return origin == null ? dir.toString() : origin.pinned();
    }
}
