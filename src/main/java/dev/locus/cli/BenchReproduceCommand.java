package dev.locus.cli;

import dev.locus.LocusException;
import dev.locus.bench.ReproductionBench;
import dev.locus.bench.Timing;
import dev.locus.fixtures.RandomCheckpoint;
import dev.locus.spark.SparkRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/locus bench-reproduce}: its options read into a {@link ReproductionBench}, which measures. */
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
            throw new LocusException("--n", "--n", "at least 2 pairs (one fitted, one held out), found " + n, null);
        }
        ReproductionBench bench = new ReproductionBench(dir, Arguments.parse("--shape", shape, RandomCheckpoint.Shape::parse), seeds, n,
                full, pairs != null ? pairs : Shipped.pairs(), expect != null ? expect : Shipped.expectations("llama-3.2-1b"), peakLayer,
                bytesPerToken, seed, executors);
        Timing.write(out, bench.run(System.err, spark == null ? null : plan -> SparkRunner.start(spark, plan, System.err)));
        return 0;
    }
}
