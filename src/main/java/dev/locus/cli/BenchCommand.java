package dev.locus.cli;

import dev.locus.ResidentMemory;
import dev.locus.bench.FmaCeiling;
import dev.locus.bench.Profile;
import dev.locus.fixtures.BenchCheckpoint;
import dev.locus.fixtures.RandomCheckpoint;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.model.Checkpoint;
import dev.locus.model.Gemm;
import dev.locus.model.Hook;
import dev.locus.model.DecoderConfig;
import dev.locus.model.Decoder;
import dev.locus.model.DecoderWeights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the engine on a random checkpoint shaped like Llama-3.2-1B, in one process: this
 * machine's fp32 FMA ceiling (every speed is also stated as a share of it), load throughput from a
 * warm page cache, forward time and achieved GFLOP/s with where its time goes by primitive, the
 * matmul GFLOP/s of libtorch, of OpenBLAS and of the forward's route on the MLP's shape, and peak
 * resident memory.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark load, forward and memory on a random Llama-3.2-1B-shaped BF16 checkpoint.")
public final class BenchCommand implements Callable<Integer> {
    static final Duration PROFILE_PERIOD = Duration.ofMillis(10);

    @Option(names = "--dir", defaultValue = "target/bench",
            description = "Where the random checkpoint lives, as SHAPE-random-seedSEED (generated when absent; default ${DEFAULT-VALUE}).")
    Path benchDir;

    @Option(names = "--shape", defaultValue = "llama-3.2-1b", description = RandomCheckpoint.Shape.CHOICES + " (default ${DEFAULT-VALUE})")
    String shape;

    @Option(names = "--tokens", defaultValue = "256", description = "Sequence length of the timed forward (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed repetitions after one warm-up (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--seed", defaultValue = "7", description = "Weights and token seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "target/bench/forward.json", description = "Figures as JSON (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        RandomCheckpoint.Shape named = RandomCheckpoint.Shape.parse(shape);
        DecoderConfig config = named.config();
        ObjectNode report = new ObjectMapper().createObjectNode();
        report.put("shape", shape);
        report.put("tokens", tokens);
        report.put("seed", seed);
        report.put("available_processors", Runtime.getRuntime().availableProcessors());

        FmaCeiling.Result ceiling = FmaCeiling.measure();
        double peak = ceiling.gflops();
        report.put("fma_ceiling_gflops", peak);
        report.put("fma_ceiling", ceiling.describe());
        progress("fp32 FMA ceiling of this machine: %s", ceiling.describe());

        long t0 = System.nanoTime();
        Path dir = BenchCheckpoint.ensure(benchDir, named, seed, "bench");
        report.put("prepare_checkpoint_seconds", seconds(t0));
        long fileBytes = Files.size(dir.resolve(Checkpoint.SINGLE_FILE));
        warmPageCache(dir.resolve(Checkpoint.SINGLE_FILE));

        try (NDManager root = NDManager.newBaseManager()) {
            report.put("torch_threads", JniUtils.getNumThreads());
            t0 = System.nanoTime();
            Checkpoint checkpoint = Checkpoint.open(dir);
            long weightBytes = checkpoint.weightBytes();
            DecoderWeights weights = DecoderWeights.load(checkpoint, root);
            double loadSeconds = seconds(t0);
            weights.layer(0);
            report.put("load_to_first_block_seconds", seconds(t0));
            report.put("weights_kept_as_stored", weights.keepsStoredBytes());
            report.put("checkpoint_bytes", fileBytes);
            report.put("load_seconds", loadSeconds);
            report.put("load_mb_per_s", weightBytes / 1e6 / loadSeconds);
            progress("loaded %.2f GB in %.2f s (%.0f MB/s)", weightBytes / 1e9, loadSeconds, weightBytes / 1e6 / loadSeconds);

            try (Decoder model = new Decoder(config, weights, dir.toString())) {
                // libtorch first: choosing the OpenBLAS route puts libtorch's own ops on one thread.
                double libtorch = matmulGflops(root, config, (x, w) -> Gemm.linear(x, w, Gemm.Route.LIBTORCH));
                double openblas = matmulGflops(root, config, (x, w) -> Gemm.linear(x, w, Gemm.Route.OPENBLAS));
                double route = matmulGflops(root, config, Gemm::linear);
                double matmul = Math.max(libtorch, openblas);
                report.put("matmul_route", Gemm.choice().description());
                report.put("libtorch_matmul_gflops", libtorch);
                report.put("openblas_matmul_gflops", openblas);
                report.put("forward_matmul_gflops", route);
                report.put("best_matmul_gflops", matmul);
                report.put("best_matmul_share", matmul / peak);
                progress("matmul [%d x %d] x [%d x %d]: libtorch %.1f GFLOP/s (%.2f of the ceiling), OpenBLAS %.1f (%.2f); "
                        + "the forward's route, %s: %.1f (%.2f)", tokens, config.hiddenSize(), config.hiddenSize(),
                        config.intermediateSize(), libtorch, libtorch / peak, openblas, openblas / peak, Gemm.choice().description(),
                        route, route / peak);

                int[] ids = new Random(seed).ints(tokens, 0, config.vocabSize()).toArray();
                int[] all = new int[tokens];
                Arrays.setAll(all, i -> i);
                double[] full = time(() -> {
                    try (NDManager work = root.newSubManager()) {
                        model.logprobs(model.forward(work, ids, Hook.NONE), all).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                    }
                });
                double[] lastOnly = time(() -> {
                    try (NDManager work = root.newSubManager()) {
                        model.logprobs(model.forward(work, ids, Hook.NONE), new int[] {tokens - 1});
                    }
                });
                double flops = forwardFlops(config, tokens, tokens);
                double medianFull = median(full);
                report.put("forward_seconds_all_logprobs", medianFull);
                report.put("forward_gflops", flops / medianFull / 1e9);
                report.put("forward_share", flops / medianFull / 1e9 / peak);
                report.put("forward_vs_best_matmul", flops / medianFull / 1e9 / matmul);
                report.put("forward_seconds_last_logprobs", median(lastOnly));
                report.put("forward_gflops_last_logprobs", forwardFlops(config, tokens, 1) / median(lastOnly) / 1e9);
                progress("forward %d tokens, log-probs at every position: %.2f s, %.1f GFLOP/s = %.2f of the ceiling, %.0f%% of the best matmul",
                        tokens, medianFull, flops / medianFull / 1e9, flops / medianFull / 1e9 / peak, 100 * flops / medianFull / 1e9 / matmul);
                progress("forward %d tokens, log-probs at the last position: %.2f s", tokens, median(lastOnly));
                List<Profile.Share> profile = Profile.of(() -> {
                    for (int r = 0; r < repeats; r++) {
                        try (NDManager work = root.newSubManager()) {
                            model.logprobs(model.forward(work, ids, Hook.NONE), all).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                        }
                    }
                }, PROFILE_PERIOD);
                report.set("forward_profile", new ObjectMapper().valueToTree(profile));
                progress("where the forward's time goes (JFR samples of the calling thread, %d ms apart):", PROFILE_PERIOD.toMillis());
                for (Profile.Share share : profile) {
                    progress("  %5.1f %%  %s", 100 * share.share(), share.primitive());
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
                progress("%s with the model open (weights: %s, %.2f GB float32 of them resident); peak = %.2f x the model's float32 "
                        + "bytes (%.2f GB), %.2f x its stored bytes (%.2f GB)", memory.describe(),
                        weights.keepsStoredBytes() ? "F16/BF16 matrices kept as stored" : "all float32", weights.residentBytes() / 1e9,
                        (double) peakRss / float32Bytes, float32Bytes / 1e9, (double) peakRss / weightBytes, weightBytes / 1e9);
            }
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), report);
        System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        return 0;
    }

    /** GFLOP/s of a product on the MLP's up-projection shape, called the way the forward calls it. */
    private double matmulGflops(NDManager root, DecoderConfig c, java.util.function.BinaryOperator<NDArray> product) {
        try (NDManager m = root.newSubManager()) {
            NDArray x = m.randomNormal(new Shape(tokens, c.hiddenSize()));
            NDArray w = m.randomNormal(new Shape(c.intermediateSize(), c.hiddenSize()));
            double[] s = time(() -> {
                for (int i = 0; i < 10; i++) {
                    product.apply(x, w).close();
                }
            });
            return 10 * 2.0 * tokens * c.hiddenSize() * c.intermediateSize() / median(s) / 1e9;
        }
    }

    /** Multiply-adds x 2 of one forward: projections, attention scores and mixing, and the head at {@code headRows} positions. */
    static double forwardFlops(DecoderConfig c, int t, int headRows) {
        double d = c.hiddenSize();
        double q = (double) c.numHeads() * c.headDim();
        double kv = (double) c.numKvHeads() * c.headDim();
        double projections = 2.0 * t * (d * q + 2 * d * kv + q * d + 3 * d * c.intermediateSize());
        double attention = 2.0 * 2 * t * (double) t * q;
        return c.numLayers() * (projections + attention) + 2.0 * headRows * d * c.vocabSize();
    }

    private double[] time(Runnable work) {
        work.run();
        double[] s = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            work.run();
            s[i] = seconds(t0);
        }
        return s;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void warmPageCache(Path file) throws IOException {
        byte[] buffer = new byte[1 << 22];
        try (InputStream in = Files.newInputStream(file)) {
            while (in.read(buffer) > 0) {
                // reading is the point: the load is measured from a warm page cache
            }
        }
    }

    private static void progress(String format, Object... args) {
        System.err.printf("locus bench: " + format + "%n", args);
    }
}
