package dev.locus.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.ResidentMemory;
import dev.locus.fixtures.BenchCheckpoint;
import dev.locus.fixtures.RandomCheckpoint;
import dev.locus.model.Checkpoint;
import dev.locus.model.Decoder;
import dev.locus.model.DecoderConfig;
import dev.locus.model.DecoderWeights;
import dev.locus.model.Gemm;
import dev.locus.model.Hook;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.BinaryOperator;

/**
 * The engine measured on a random checkpoint of a released shape, in one process: this machine's
 * fp32 FMA ceiling (every speed is also stated as a share of it), load throughput from a warm page
 * cache, forward time and achieved GFLOP/s with where its time goes by primitive, the matmul
 * GFLOP/s of libtorch, of OpenBLAS and of the forward's route on the MLP's shape, and peak resident
 * memory.
 *
 * @param benchDir where the random checkpoint lives, as SHAPE-random-seedSEED (generated when absent)
 * @param tokens sequence length of the timed forward
 * @param repeats timed repetitions after one warm-up
 * @param seed weights and token seed
 */
public record ForwardBench(Path benchDir, RandomCheckpoint.Shape shape, int tokens, int repeats, long seed) {

    /** Measures, with a line per figure on {@code err}; returns the figures. */
    public ObjectNode run(PrintStream err) throws IOException {
        Log log = new Log(err);
        DecoderConfig config = shape.config();
        ObjectNode report = new ObjectMapper().createObjectNode();
        report.put("shape", shape.label());
        report.put("tokens", tokens);
        report.put("seed", seed);
        report.put("available_processors", Runtime.getRuntime().availableProcessors());

        FmaCeiling.Result ceiling = FmaCeiling.measure();
        double peak = ceiling.gflops();
        report.put("fma_ceiling_gflops", peak);
        report.put("fma_ceiling", ceiling.describe());
        log.progress("fp32 FMA ceiling of this machine: %s", ceiling.describe());

        long t0 = System.nanoTime();
        Path dir = BenchCheckpoint.ensure(benchDir, shape, seed, "bench");
        report.put("prepare_checkpoint_seconds", Timing.secondsSince(t0));
        long fileBytes = Files.size(dir.resolve(Checkpoint.SINGLE_FILE));
        Timing.warmPageCache(dir.resolve(Checkpoint.SINGLE_FILE));

        try (NDManager root = NDManager.newBaseManager()) {
            report.put("torch_threads", JniUtils.getNumThreads());
            t0 = System.nanoTime();
            Checkpoint checkpoint = Checkpoint.open(dir);
            long weightBytes = checkpoint.weightBytes();
            DecoderWeights weights = DecoderWeights.load(checkpoint, root);
            double loadSeconds = Timing.secondsSince(t0);
            weights.layer(0);
            report.put("load_to_first_block_seconds", Timing.secondsSince(t0));
            report.put("weights_kept_as_stored", weights.keepsStoredBytes());
            report.put("checkpoint_bytes", fileBytes);
            report.put("load_seconds", loadSeconds);
            report.put("load_mb_per_s", weightBytes / 1e6 / loadSeconds);
            log.progress("loaded %.2f GB in %.2f s (%.0f MB/s)", weightBytes / 1e9, loadSeconds, weightBytes / 1e6 / loadSeconds);

            try (Decoder model = new Decoder(config, weights, dir.toString())) {
                // libtorch first: choosing the OpenBLAS route puts libtorch's own ops on one thread.
                double libtorch = matmulGflops(root, config, tokens, (x, w) -> Gemm.linear(x, w, Gemm.Route.LIBTORCH));
                double openblas = matmulGflops(root, config, tokens, (x, w) -> Gemm.linear(x, w, Gemm.Route.OPENBLAS));
                double route = matmulGflops(root, config, tokens, Gemm::linear);
                double matmul = Math.max(libtorch, openblas);
                report.put("matmul_route", Gemm.choice().description());
                report.put("libtorch_matmul_gflops", libtorch);
                report.put("openblas_matmul_gflops", openblas);
                report.put("forward_matmul_gflops", route);
                report.put("best_matmul_gflops", matmul);
                report.put("best_matmul_share", matmul / peak);
                log.progress("matmul [%d x %d] x [%d x %d]: libtorch %.1f GFLOP/s (%.2f of the ceiling), OpenBLAS %.1f (%.2f); "
                        + "the forward's route, %s: %.1f (%.2f)", tokens, config.hiddenSize(), config.hiddenSize(),
                        config.intermediateSize(), libtorch, libtorch / peak, openblas, openblas / peak, Gemm.choice().description(),
                        route, route / peak);

                int[] ids = new Random(seed).ints(tokens, 0, config.vocabSize()).toArray();
                int[] all = new int[tokens];
                Arrays.setAll(all, i -> i);
                double[] full = Timing.repeated(repeats, () -> {
                    try (NDManager work = root.newSubManager()) {
                        model.logprobs(model.forward(work, ids, Hook.NONE), all).toType(DataType.FLOAT32, false);
                    }
                });
                double[] lastOnly = Timing.repeated(repeats, () -> {
                    try (NDManager work = root.newSubManager()) {
                        model.logprobs(model.forward(work, ids, Hook.NONE), new int[] {tokens - 1});
                    }
                });
                double flops = Timing.forwardFlops(config, tokens, tokens);
                double medianFull = Timing.median(full);
                report.put("forward_seconds_all_logprobs", medianFull);
                report.put("forward_gflops", flops / medianFull / 1e9);
                report.put("forward_share", flops / medianFull / 1e9 / peak);
                report.put("forward_vs_best_matmul", flops / medianFull / 1e9 / matmul);
                report.put("forward_seconds_last_logprobs", Timing.median(lastOnly));
                report.put("forward_gflops_last_logprobs", Timing.forwardFlops(config, tokens, 1) / Timing.median(lastOnly) / 1e9);
                log.progress("forward %d tokens, log-probs at every position: %.2f s, %.1f GFLOP/s = %.2f of the ceiling, %.0f%% of the best matmul",
                        tokens, medianFull, flops / medianFull / 1e9, flops / medianFull / 1e9 / peak, 100 * flops / medianFull / 1e9 / matmul);
                log.progress("forward %d tokens, log-probs at the last position: %.2f s", tokens, Timing.median(lastOnly));
                List<Profile.Share> profile = Profile.of(() -> {
                    for (int r = 0; r < repeats; r++) {
                        try (NDManager work = root.newSubManager()) {
                            model.logprobs(model.forward(work, ids, Hook.NONE), all).toType(DataType.FLOAT32, false);
                        }
                    }
                }, Profile.PERIOD);
                report.set("forward_profile", new ObjectMapper().valueToTree(profile));
                log.progress("where the forward's time goes (JFR samples of the calling thread, %d ms apart):", Profile.PERIOD.toMillis());
                for (Profile.Share share : profile) {
                    log.progress("  %5.1f %%  %s", 100 * share.share(), share.primitive());
                }
                // Read with the model still open: what it holds, not what is left after it.
                ResidentMemory memory = ResidentMemory.now();
                long peakRss = memory.peakBytes();
                long float32Bytes = config.parameterCount() * 4;
                memory.fields().forEach(report::put);
                report.put("weights_resident_float32_bytes", weights.residentBytes());
                report.put("model_stored_bytes", weightBytes);
                report.put("model_float32_bytes", float32Bytes);
                report.put("peak_rss_vs_float32", (double) peakRss / float32Bytes);
                log.progress("%s with the model open (weights: %s, %.2f GB float32 of them resident); peak = %.2f x the model's float32 "
                        + "bytes (%.2f GB), %.2f x its stored bytes (%.2f GB)", memory.describe(),
                        weights.keepsStoredBytes() ? "F16/BF16 matrices kept as stored" : "all float32", weights.residentBytes() / 1e9,
                        (double) peakRss / float32Bytes, float32Bytes / 1e9, (double) peakRss / weightBytes, weightBytes / 1e9);
            }
        }
        return report;
    }

    /** GFLOP/s of a product on the MLP's up-projection shape, called the way the forward calls it. */
    private double matmulGflops(NDManager root, DecoderConfig c, int rows, BinaryOperator<NDArray> product) {
        try (NDManager m = root.newSubManager()) {
            NDArray x = m.randomNormal(new Shape(rows, c.hiddenSize()));
            NDArray w = m.randomNormal(new Shape(c.intermediateSize(), c.hiddenSize()));
            double[] s = Timing.repeated(repeats, () -> {
                for (int i = 0; i < 10; i++) {
                    product.apply(x, w).close();
                }
            });
            return 10 * 2.0 * rows * c.hiddenSize() * c.intermediateSize() / Timing.median(s) / 1e9;
        }
    }

    private record Log(PrintStream err) {
        void progress(String format, Object... args) {
            err.printf(Locale.ROOT, "locus bench: " + format + "%n", args);
        }
    }
}
