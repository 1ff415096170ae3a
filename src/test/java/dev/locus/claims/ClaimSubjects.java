package dev.locus.claims;

import dev.locus.fixtures.Fixture;
import io.qameta.allure.Allure;
import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The checkpoint pairs the claim specs run on. With {@code -Dlocus.base=DIR -Dlocus.tuned=DIR}
 * (and optionally {@code locus.pairs}, {@code locus.expectations}): that pair, results under
 * {@code target/claims/}. Without: the three generated fixtures, each against its own
 * expectations, results under {@code target/claims/fixture-KIND/}. Each subject is measured once
 * per JVM and shared by the four specs.
 */
final class ClaimSubjects {
    static final Path DEFAULT_PAIRS = Path.of("datasets/hh-rlhf-test-512.jsonl");
    static final Path PAPER_EXPECTATIONS = Path.of("expectations/llama-3.2-1b.yaml");
    static final Path RESULTS = Path.of("target/claims");
    static final long FIXTURE_SEED = 1;

    /** A measured subject: its inputs, its expectations, the shared measurement and where results go. */
    record Measured(Measurement.Subject subject, Expectations expectations, Measurement measurement, Path results) {}

    private static final Map<String, Measured> MEASURED = new ConcurrentHashMap<>();

    private ClaimSubjects() {}

    static List<Measurement.Subject> all() {
        String base = System.getProperty("locus.base");
        String tuned = System.getProperty("locus.tuned");
        Path pairs = Path.of(System.getProperty("locus.pairs", DEFAULT_PAIRS.toString()));
        if (base != null || tuned != null) {
            if (base == null || tuned == null) {
                throw new IllegalArgumentException("-Dlocus.base and -Dlocus.tuned go together: found only "
                        + (base == null ? "locus.tuned" : "locus.base"));
            }
            Path expectations = Path.of(System.getProperty("locus.expectations", PAPER_EXPECTATIONS.toString()));
            return List.of(new Measurement.Subject("custom", Path.of(base), Path.of(tuned), pairs, expectations));
        }
        List<Measurement.Subject> subjects = new ArrayList<>();
        for (Fixture.Kind kind : Fixture.Kind.values()) {
            Path dir = Path.of("target/claim-fixtures", kind.label());
            subjects.add(new Measurement.Subject("fixture-" + kind.label(), dir.resolve("base"), dir.resolve("tuned"), pairs,
                    Path.of(System.getProperty("locus.expectations", "expectations/fixture-" + kind.label() + ".yaml"))));
        }
        return subjects;
    }

    /** A fixture kind generated (once) under {@code target/claim-fixtures/KIND}, seed 1, from the shipped pairs. */
    static synchronized Path fixture(Fixture.Kind kind) {
        Path dir = Path.of("target/claim-fixtures", kind.label());
        if (!Files.isRegularFile(dir.resolve(Fixture.TRUTH_FILE))) {
            Fixture.generate(kind, FIXTURE_SEED, DEFAULT_PAIRS, dir);
        }
        return dir;
    }

    static synchronized Measured measured(Measurement.Subject subject) {
        Measured done = MEASURED.get(subject.name());
        if (done != null) {
            return done;
        }
        Expectations expectations = Expectations.read(subject.expectationsFile());
        if (subject.name().startsWith("fixture-")) {
            fixture(Fixture.Kind.parse(subject.name().substring("fixture-".length())));
        }
        PrintStream log = System.err;
        long started = System.nanoTime();
        Measurement measurement = Measurement.measure(subject, expectations, log);
        log.printf("locus claims: %s measured in %.1f s%n", subject.name(), (System.nanoTime() - started) / 1e9);
        Path results = subject.name().equals("custom") ? RESULTS : RESULTS.resolve(subject.name());
        Measured m = new Measured(subject, expectations, measurement, results);
        MEASURED.put(subject.name(), m);
        return m;
    }

    /** The run's inputs as Allure parameters: subject, seed, expectations, checkpoints' sha256. */
    static void parameters(Measured m) {
        Allure.parameter("subject", m.subject().name());
        Allure.parameter("expectations", m.subject().expectationsFile().toString());
        Allure.parameter("seed", m.expectations().run().seed());
        m.measurement().provenance().sha256().forEach((file, hash) -> {
            if (file.endsWith(".safetensors") || file.equals("pairs")) {
                Allure.parameter("sha256 " + file, hash);
            }
        });
    }

    /** The shared run's phases as steps, each with the figure it produced. */
    static void measuredSteps(Measured m) {
        Measurement r = m.measurement();
        Gain gain = Gain.of(r, m.expectations().run());
        Allure.step("clean margins: " + r.pairs() + " pairs (" + r.skipped().size() + " skipped), " + gain.sentence());
        Allure.step("layer sweeps: both directions at block_out.L and resid_post.L, L = 0.." + (r.layers() - 1)
                + "; L* = " + r.peakLayer() + " (" + r.peakChosenBy() + ")");
        Allure.step("dose: " + r.doseAlphas().length + " alphas at layer " + r.peakLayer() + ", noise and shuffled controls");
        Allure.step("subspace: SVD of the fit pairs' differences, ranks " + java.util.Arrays.toString(r.ranks())
                + " and random frames on " + r.heldOutIndices().length + " held-out pairs");
        Allure.step("LASSO features: block_out distances, " + r.pairs() + " pairs x " + r.layers() + " layers");
    }

    /** Writes the result JSON and attaches it, the table and the chart. */
    static void record(Measured m, ClaimResult result, String csv, byte[] png) {
        Path file = ClaimResults.write(m.results(), result);
        Allure.addAttachment(result.claim() + ".json", "application/json",
                new ByteArrayInputStream(ClaimResults.json(result).getBytes(StandardCharsets.UTF_8)), "json");
        Allure.addAttachment(result.claim() + " table", "text/csv", new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "csv");
        Allure.addAttachment(result.claim() + " chart", "image/png", new ByteArrayInputStream(png), "png");
        System.err.printf("locus claims: %s %s: %s (expected %s): %s -> %s%n", m.subject().name(), result.claim(),
                result.verdict().label(), result.expected().label(), result.reason(), file);
    }
}
