package dev.locus.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.ResidentMemory;
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
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The whole measurement of a reproduction (clean runs, both layer sweeps at both sites, dose and
 * controls, SVD, subspace patches, LASSO's distances) on two random BF16 checkpoints of a released
 * shape, for a few pairs, timed per phase and extrapolated to a full run ({@link Extrapolation}) and
 * to Spark executors ({@link ScaleModel}); peak RSS with both models open, against their stored bytes.
 *
 * <p>There is no Llama-3 tokenizer here, so each sampled HH pair becomes random token ids of the
 * length Llama-3's tokenizer would give it, estimated as UTF-8 bytes / {@code bytesPerToken}.
 *
 * @param benchDir where the random checkpoints live (generated when absent)
 * @param seeds weights seeds of base and tuned
 * @param n pairs measured, half held out
 * @param full pairs of the full run extrapolated to
 * @param pairsFile pairs whose lengths are used
 * @param expectationsFile run settings: alphas, ranks, random frames, site, positions
 * @param peakLayer the layer of the dose and subspace phases, or null for argmax f_L
 * @param seed pair sampling and token seed
 * @param executors executor counts the scale model predicts for
 */
public record ReproductionBench(Path benchDir, RandomCheckpoint.Shape shape, long[] seeds, int n, int full, Path pairsFile,
        Path expectationsFile, Integer peakLayer, double bytesPerToken, long seed, int[] executors) {

    /** Starts the runner of the per-pair work (Spark's), for a plan. */
    @FunctionalInterface
    public interface Runners {
        Runner start(Plan plan);
    }

    /**
     * Measures with {@code runners} (null: in this JVM), a line per figure on {@code err}; returns
     * the figures.
     */
    public ObjectNode run(PrintStream err, Runners runners) throws IOException {
        Expectations expectations = Expectations.read(expectationsFile).overriddenBy(n, seed, null, peakLayer);
        Run run = expectations.run();
        Path base = BenchCheckpoint.ensure(benchDir, shape, seeds[0], "bench-reproduce");
        Path tuned = BenchCheckpoint.ensure(benchDir, shape, seeds[1], "bench-reproduce");
        SyntheticTokens tokens = new SyntheticTokens(bytesPerToken, seed);
        Plan plan = Plan.synthetic(new Subject("bench-reproduce", base, tuned, pairsFile, expectationsFile), expectations.protocol().withoutContinuations(),
                shape.config(), tokens, ai.djl.Device.cpu());
        double fullTokensPerPair = tokens.meanPairLength(pairsFile, full, seed);
        long rows = plan.pairs().stream().mapToLong(p -> p.prompt().length + p.completions().stream().mapToLong(c -> c.length).sum()).sum();
        Map<String, Double> timings = new LinkedHashMap<>();
        long started = System.nanoTime();
        Measurement measurement;
        String runner = InProcess.DESCRIPTION;
        if (runners == null) {
            measurement = plan.measure(err, Journal.none(), timings);
        } else {
            try (Runner onRunner = runners.start(plan)) {
                measurement = plan.measure(onRunner, err, Journal.none(), timings);
                runner = onRunner.describe();
            }
        }
        double total = (System.nanoTime() - started) / 1e9;

        int held = plan.heldOutCount();
        int fullHeld = (int) Math.round(full * run.heldOutFraction());
        Extrapolation extrapolation = Extrapolation.of(timings, n, held, (double) rows / n, full, fullHeld, fullTokensPerPair);
        double perPairSweeps = extrapolation.perPairSweeps();
        double perPairDose = extrapolation.perPairDose();
        double perHeldSubspace = extrapolation.perHeldOutSubspace();
        double lengthScale = extrapolation.lengthScale();
        double extrapolated = extrapolation.seconds();
        long hashing = System.nanoTime();
        try (Checkpoint b = Checkpoint.open(base); Checkpoint t = Checkpoint.open(tuned)) {
            b.fileHashes();
            t.fileHashes();
        }
        double hashSeconds = (System.nanoTime() - hashing) / 1e9;
        ScaleModel scale = ScaleModel.of(pairsFile, full, run, tokens, perPairSweeps / ((double) rows / n), perPairDose / ((double) rows / n),
                perHeldSubspace / ((double) rows / n), shape.config().hiddenSize(),
                timings.getOrDefault(Plan.LOAD_MODELS_TIMING, 0.0) + hashSeconds);
        ResidentMemory memory = ResidentMemory.now();
        long peakRss = memory.peakBytes();
        long float32Bytes = 2 * shape.config().parameterCount() * 4;
        long storedBytes = Checkpoint.open(base).weightBytes() + Checkpoint.open(tuned).weightBytes();
        // Kept as stored, a pair needs its stored bytes (file-backed, 10 % for what the page cache
        // keeps around them) and a bounded float32 working set: one block, head rows, activations.
        double storedBound = 1.1 * storedBytes + 3e9;

        ObjectNode report = new ObjectMapper().createObjectNode();
        report.put("shape", shape.label());
        report.put("pairs", n);
        report.put("held_out_pairs", held);
        report.put("mean_tokens_per_pair", (double) rows / n);
        report.put("peak_layer", measurement.peakLayer());
        report.put("peak_chosen_by", measurement.peak().chosenBy());
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
        err.printf(Locale.ROOT, "locus bench-reproduce: %d pairs (%d held out), %.0f tokens per pair, L* = %d (%s), %s%n",
                n, held, (double) rows / n, measurement.peakLayer(), measurement.peak().chosenBy(), Gemm.choice().description());
        err.printf(Locale.ROOT, "locus bench-reproduce: per pair: layer sweeps with clean runs %.1f s, dose and controls %.1f s; "
                + "per held-out pair: subspace %.1f s; SVD %.1f s%n", perPairSweeps, perPairDose, perHeldSubspace, timings.get(PhaseName.SVD.timing()));
        err.printf(Locale.ROOT, "locus bench-reproduce: the %d-pair sample averages %.0f tokens per pair: per-pair times scaled by %.3f%n",
                full, fullTokensPerPair, lengthScale);
        err.printf(Locale.ROOT, "locus bench-reproduce: extrapolated to %d pairs (%d held out): %.0f s = %.2f h; "
                + "%s (both models' stored weights %.2f GB, 1.1x + 3 GB = %.2f GB; in float32 %.2f GB)%n",
                full, fullHeld, extrapolated, extrapolated / 3600, memory.describe(), storedBytes / 1e9, storedBound / 1e9, float32Bytes / 1e9);
        err.printf(Locale.ROOT, "locus bench-reproduce: on Spark, %d pairs, each executor like this machine: %s; no stage gains "
                + "beyond %d executors%n", full, Arrays.stream(executors).mapToObj(e -> String.format(Locale.ROOT, "%d: %.0f s",
                        e, scale.predict(e))).collect(Collectors.joining(", ")), scale.saturation());
        return report;
    }
}
