package dev.locus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.ResidentMemory;
import dev.locus.analysis.Svd;
import dev.locus.bench.ScaleModel;
import dev.locus.data.PairSampling;
import dev.locus.data.PairsFile;
import dev.locus.data.PreferencePair;
import dev.locus.claims.Expectations;
import dev.locus.fixtures.BenchCheckpoint;
import dev.locus.fixtures.RandomCheckpoint;
import dev.locus.measure.InProcess;
import dev.locus.measure.Journal;
import dev.locus.measure.Measurement;
import dev.locus.measure.PhaseName;
import dev.locus.measure.Plan;
import dev.locus.measure.Run;
import dev.locus.measure.Runner;
import dev.locus.measure.Subject;
import dev.locus.measure.SyntheticTokens;
import dev.locus.model.Checkpoint;
import dev.locus.model.Gemm;
import dev.locus.spark.SparkRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole measurement of a reproduction (clean runs, both layer sweeps at both sites, dose and
 * controls, SVD, subspace patches, LASSO's distances) on two random BF16 checkpoints of a released
 * shape, for a few pairs, timed per phase and extrapolated to a full run; peak RSS with both models
 * open, against their stored bytes.
 *
 * <p>There is no Llama-3 tokenizer here, so each sampled HH pair becomes random token ids of the
 * length Llama-3's tokenizer would give it, estimated as UTF-8 bytes / {@code --bytes-per-token}.
 */
@Command(name = "bench-reproduce", mixinStandardHelpOptions = true,
        description = "Time a whole reproduction per phase on two random BF16 checkpoints of --shape and extrapolate to --full pairs.")
public final class BenchReproduceCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "target/bench", description = "Where the random checkpoints live (default ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--shape", defaultValue = "llama-3.2-1b", description = RandomCheckpoint.Shape.CHOICES + " (default ${DEFAULT-VALUE}).")
    String shape;

    @Option(names = "--seeds", split = ",", defaultValue = "7,8", description = "Weights seeds of base and tuned (default ${DEFAULT-VALUE}).")
    long[] seeds;

    @Option(names = "--n", defaultValue = "2", description = "Pairs measured, half held out (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--full", defaultValue = "80", description = "Pairs of the full run extrapolated to (default ${DEFAULT-VALUE}).")
    int full;

    @Option(names = "--pairs", description = "Pairs whose lengths are used (default: the shipped datasets/hh-rlhf-test-512.jsonl).")
    Path pairs;

    @Option(names = "--expect", description = "Run settings: alphas, ranks, random frames, site, positions "
            + "(default: expectations/llama-3.2-1b.yaml).")
    Path expect;

    @Option(names = "--peak-layer", description = "Measure the dose and subspace phases at this layer (default: argmax f_L, "
            + "as a reproduction does; on random weights that is usually layer 0, the costliest).")
    Integer peakLayer;

    @Option(names = "--bytes-per-token", defaultValue = "4.0", description = "UTF-8 bytes per Llama-3 token (default ${DEFAULT-VALUE}).")
    double bytesPerToken;

    @Option(names = "--seed", defaultValue = "1", description = "Pair sampling and token seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--executors", split = ",", defaultValue = "1,4,16,64", description = "Executor counts (each like this "
            + "machine) the scale model predicts a --full-pair run's wall time for (default ${DEFAULT-VALUE}; README \"Scale-out on Spark\").")
    int[] executors;

    @Option(names = "--spark", paramLabel = "MASTER", description = "Run the per-pair work as Spark tasks on MASTER, as reproduce "
            + "--spark does (the total then counts Spark's start and the executors' model loading). Default: in this JVM.")
    String spark;

    @Option(names = "--out", defaultValue = "target/bench/reproduce.json", description = "Figures as JSON (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (n < 2) {
            throw new dev.locus.LocusException("--n", "--n", "at least 2 pairs (one fitted, one held out), found " + n, null);
        }
        Path pairsFile = pairs != null ? pairs : Shipped.pairs();
        Path expectationsFile = expect != null ? expect : Shipped.expectations("llama-3.2-1b");
        Expectations expectations = Expectations.read(expectationsFile).overriddenBy(n, seed, null, peakLayer);
        Run run = expectations.run();
        RandomCheckpoint.Shape named = RandomCheckpoint.Shape.parse(shape);
        Path base = BenchCheckpoint.ensure(dir, named, seeds[0], "bench-reproduce");
        Path tuned = BenchCheckpoint.ensure(dir, named, seeds[1], "bench-reproduce");
        SyntheticTokens tokens = new SyntheticTokens(bytesPerToken, seed);
        Plan plan = Plan.synthetic(new Subject("bench-reproduce", base, tuned, pairsFile, expectationsFile), expectations.protocol(),
                named.config(), tokens, ai.djl.Device.cpu());
        double fullTokensPerPair = tokens.meanPairLength(pairsFile, full, seed);
        long rows = plan.pairs().stream().mapToLong(p -> p.prompt().length + p.completions().stream().mapToLong(c -> c.length).sum()).sum();
        Map<String, Double> timings = new LinkedHashMap<>();
        long started = System.nanoTime();
        Measurement measurement;
        String runner = InProcess.DESCRIPTION;
        if (spark == null) {
            measurement = plan.measure(System.err, Journal.none(), timings);
        } else {
            try (Runner onSpark = SparkRunner.start(spark, plan, System.err)) {
                measurement = plan.measure(onSpark, System.err, Journal.none(), timings);
                runner = onSpark.describe();
            }
        }
        double total = (System.nanoTime() - started) / 1e9;

        int held = plan.heldOutCount();
        int fullHeld = (int) Math.round(full * run.heldOutFraction());
        double perPairSweeps = timings.get(PhaseName.LAYERS.timing()) / n;
        double perPairDose = timings.get(PhaseName.DOSE.timing()) / n;
        double perHeldSubspace = timings.get(PhaseName.SUBSPACE.timing()) / held;
        // Cost grows about linearly with a pair's tokens at these lengths (attention is a few per cent),
        // so a few measured pairs stand for the full sample in proportion to their tokens.
        double lengthScale = fullTokensPerPair / ((double) rows / n);
        double extrapolated = lengthScale * (full * (perPairSweeps + perPairDose) + fullHeld * perHeldSubspace) + timings.get(PhaseName.SVD.timing());
        long hashing = System.nanoTime();
        try (Checkpoint b = Checkpoint.open(base); Checkpoint t = Checkpoint.open(tuned)) {
            b.fileHashes();
            t.fileHashes();
        }
        double hashSeconds = (System.nanoTime() - hashing) / 1e9;
        ScaleModel scale = scaleModel(pairsFile, full, run, tokens, perPairSweeps / ((double) rows / n), perPairDose / ((double) rows / n),
                perHeldSubspace / ((double) rows / n), named.config().hiddenSize(),
                timings.getOrDefault(Plan.LOAD_MODELS_TIMING, 0.0) + hashSeconds);
        ResidentMemory memory = ResidentMemory.now();
        long peakRss = memory.peakBytes();
        long float32Bytes = 2 * named.config().parameterCount() * 4;
        long storedBytes = Checkpoint.open(base).weightBytes() + Checkpoint.open(tuned).weightBytes();
        // Kept as stored, a pair needs its stored bytes (file-backed, 10 % for what the page cache
        // keeps around them) and a bounded float32 working set: one block, head rows, activations.
        double storedBound = 1.1 * storedBytes + 3e9;

        ObjectNode report = new ObjectMapper().createObjectNode();
        report.put("shape", shape);
        report.put("pairs", n);
        report.put("held_out_pairs", held);
        report.put("mean_tokens_per_pair", (double) rows / n);
        report.put("peak_layer", measurement.peakLayer());
        report.put("peak_chosen_by", measurement.peakChosenBy());
        report.put("matmul", Gemm.choice().description());
        report.put(Runner.PROVENANCE_KEY, runner);
        ObjectNode phases = report.putObject("seconds");
        timings.forEach(phases::put);
        phases.put("total", total);
        report.put("per_pair_layer_sweeps_with_clean_runs", perPairSweeps);
        report.put("per_pair_dose_and_controls", perPairDose);
        report.put("per_held_out_pair_subspace", perHeldSubspace);
        report.put("full_sample_mean_tokens_per_pair", fullTokensPerPair);
        report.put("length_scale", lengthScale);
        report.put("extrapolated_pairs", full);
        report.put("extrapolated_seconds", extrapolated);
        ObjectNode model = report.putObject("scale_model");
        model.put("checkpoint_hash_seconds", hashSeconds);
        model.put("executor_start_seconds", scale.executorStartSeconds());
        model.put("driver_seconds", scale.driverSeconds());
        model.put("saturation_executors", scale.saturation());
        ObjectNode predicted = model.putObject("predicted_seconds");
        for (int e : executors) {
            predicted.put(Integer.toString(e), scale.predict(e));
        }
        memory.fields().forEach(report::put);
        report.put("both_models_stored_bytes", storedBytes);
        report.put("both_models_float32_bytes", float32Bytes);
        report.put("peak_rss_vs_stored_1_1x_plus_3gb", peakRss / storedBound);
        System.err.printf(Locale.ROOT, "locus bench-reproduce: %d pairs (%d held out), %.0f tokens per pair, L* = %d (%s), %s%n",
                n, held, (double) rows / n, measurement.peakLayer(), measurement.peakChosenBy(), Gemm.choice().description());
        System.err.printf(Locale.ROOT, "locus bench-reproduce: per pair: layer sweeps with clean runs %.1f s, dose and controls %.1f s; "
                + "per held-out pair: subspace %.1f s; SVD %.1f s%n", perPairSweeps, perPairDose, perHeldSubspace, timings.get(PhaseName.SVD.timing()));
        System.err.printf(Locale.ROOT, "locus bench-reproduce: the %d-pair sample averages %.0f tokens per pair: per-pair times scaled by %.3f%n",
                full, fullTokensPerPair, lengthScale);
        System.err.printf(Locale.ROOT, "locus bench-reproduce: extrapolated to %d pairs (%d held out): %.0f s = %.2f h; "
                + "%s (both models' stored weights %.2f GB, 1.1x + 3 GB = %.2f GB; in float32 %.2f GB)%n",
                full, fullHeld, extrapolated, extrapolated / 3600, memory.describe(), storedBytes / 1e9, storedBound / 1e9, float32Bytes / 1e9);
        System.err.printf(Locale.ROOT, "locus bench-reproduce: on Spark, %d pairs, each executor like this machine: %s; no stage gains "
                + "beyond %d executors%n", full, java.util.Arrays.stream(executors).mapToObj(e -> String.format(Locale.ROOT, "%d: %.0f s",
                        e, scale.predict(e))).collect(java.util.stream.Collectors.joining(", ")), scale.saturation());
        Files.createDirectories(out.toAbsolutePath().getParent());
        String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
        Files.writeString(out, json + "\n", StandardCharsets.UTF_8);
        System.out.println(json);
        return 0;
    }

    /**
     * The scale model of a --full-pair run: the run's own sample of that many pairs and its split,
     * each pair's time in each stage its estimated tokens times the per-token time measured here.
     */
    private static ScaleModel scaleModel(Path pairsFile, int full, Run run, SyntheticTokens tokens, double sweepPerToken, double dosePerToken,
            double subspacePerToken, int hidden, double executorStartSeconds) {
        List<PreferencePair> sample = PairSampling.stratified(PairsFile.load(pairsFile), full, run.seed());
        java.util.Set<String> heldOut = new java.util.HashSet<>();
        PairSampling.split(sample, run.heldOutFraction(), run.seed()).heldOut().forEach(p -> heldOut.add(p.id()));
        double[] lengths = sample.stream().mapToDouble(tokens::length).toArray();
        double[] held = sample.stream().filter(p -> heldOut.contains(p.id())).mapToDouble(tokens::length).toArray();
        int fitRows = (int) (Arrays.stream(lengths).sum() - Arrays.stream(held).sum());
        return new ScaleModel(scaled(lengths, sweepPerToken), scaled(lengths, dosePerToken), scaled(held, subspacePerToken),
                svdSeconds(fitRows, hidden, run.seed()), executorStartSeconds);
    }

    /**
     * The driver's SVD at the full run's size, timed: one row per fit-pair token (prompt and both
     * completions, as the patched positions give them) by the hidden size, random normal entries.
     */
    private static double svdSeconds(int rows, int hidden, long seed) {
        java.util.Random random = new java.util.Random(seed);
        double[][] m = new double[rows][hidden];
        for (double[] row : m) {
            for (int c = 0; c < hidden; c++) {
                row[c] = random.nextGaussian();
            }
        }
        long started = System.nanoTime();
        Svd.of(m);
        return (System.nanoTime() - started) / 1e9;
    }

    private static double[] scaled(double[] lengths, double perToken) {
        return Arrays.stream(lengths).map(l -> l * perToken).toArray();
    }
}
