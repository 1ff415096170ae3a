package dev.locus.cli;

import dev.locus.hub.CheckpointSource;
import dev.locus.LocusException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/locus}: one line on stderr and exit code 2 for any input locus refuses. */
@Command(
        name = "locus",
        mixinStandardHelpOptions = true,
        version = "locus 0.1.0",
        description = "Reproduce \"alignment is localized\": activation patching between a base and a tuned decoder checkpoint (Llama, Qwen2, Mistral or Gemma-2).",
        subcommands = {ReproduceCommand.class, CompareCommand.class, TraceCommand.class, MarginCommand.class, FixtureCommand.class, RandomCheckpointCommand.class, BenchCommand.class, SweepBenchCommand.class, BenchReproduceCommand.class, SeedSweepCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static final int BAD_INPUT = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.registerConverter(CheckpointSource.class, CheckpointSource::parse);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof LocusException || e instanceof IllegalArgumentException) {
                commandLine.getErr().println("locus: " + e.getMessage());
                return BAD_INPUT;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
