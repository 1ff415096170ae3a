package dev.locus.cli;

import dev.locus.bench.SweepBench;
import dev.locus.bench.Timing;
import dev.locus.fixtures.RandomCheckpoint;
import dev.locus.patching.Schedule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/locus bench-sweep}: its options read into a {@link SweepBench}, which measures. */
@Command(name = "bench-sweep", mixinStandardHelpOptions = true,
        description = "Benchmark a full layer sweep in both directions, cached vs naive schedule, on a 1B-shaped random pair.")
public final class SweepBenchCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "target/bench", description = "Where the random checkpoints live (default ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--shape", defaultValue = "llama-3.2-1b", description = RandomCheckpoint.Shape.CHOICES + " (default ${DEFAULT-VALUE}).")
    String shape;

    @Option(names = "--prompt-tokens", defaultValue = "96")
    int promptTokens;

    @Option(names = "--chosen-tokens", defaultValue = "48")
    int chosenTokens;

    @Option(names = "--rejected-tokens", defaultValue = "40")
    int rejectedTokens;

    @Option(names = "--seeds", split = ",", defaultValue = "7,8", description = "Weights seeds of base and tuned (default ${DEFAULT-VALUE}).")
    long[] seeds;

    @Option(names = "--schedules", split = ",", defaultValue = "cached,naive",
            description = "Schedules to time, in order (default ${DEFAULT-VALUE}); the margin difference needs both.")
    List<String> schedules;

    @Option(names = "--out", defaultValue = "target/bench/sweep.json")
    Path out;

    @Override
    public Integer call() throws IOException {
        List<Schedule> timed = schedules.stream().map(n -> Arguments.parse("--schedules", n, s -> Schedule.valueOf(s.toUpperCase(Locale.ROOT))))
                .toList();
        SweepBench bench = new SweepBench(dir, Arguments.parse("--shape", shape, RandomCheckpoint.Shape::parse), seeds, promptTokens,
                chosenTokens, rejectedTokens, timed);
        Timing.write(out, bench.run(System.err));
        return 0;
    }
}
