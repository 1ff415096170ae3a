package dev.locus.cli;

import dev.locus.bench.ForwardBench;
import dev.locus.bench.Timing;
import dev.locus.fixtures.RandomCheckpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/locus bench}: its options read into a {@link ForwardBench}, which measures. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark load, forward and memory on a random Llama-3.2-1B-shaped BF16 checkpoint.")
public final class BenchCommand implements Callable<Integer> {
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
        ForwardBench bench = new ForwardBench(benchDir, Arguments.parse("--shape", shape, RandomCheckpoint.Shape::parse), tokens, repeats,
                seed);
        Timing.write(out, bench.run(System.err));
        return 0;
    }
}
