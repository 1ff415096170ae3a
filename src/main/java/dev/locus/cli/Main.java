package dev.locus.cli;

import dev.locus.LocusException;
import dev.locus.hub.CheckpointSource;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/locus}: one line on stderr and exit code {@link #BAD_INPUT} for any input locus
 * refuses (a {@link LocusException}, or an option picocli cannot read); anything else is a bug of
 * locus, not the user's mistake: exit code {@link #INTERNAL_ERROR} with the stack trace.
 */
@Command(
        name = "locus",
        mixinStandardHelpOptions = true,
        version = "locus 0.1.0",
        description = "Reproduce \"alignment is localized\": activation patching between a base and a tuned decoder checkpoint (Llama, Qwen2, Mistral or Gemma-2).",
        subcommands = {ReproduceCommand.class, CompareCommand.class, TraceCommand.class, MarginCommand.class, GenerateCommand.class, FixtureCommand.class, RandomCheckpointCommand.class, BenchCommand.class, SweepBenchCommand.class, BenchReproduceCommand.class, SeedSweepCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static final int BAD_INPUT = 2;
    /** sysexits.h's EX_SOFTWARE: an internal error of locus. */
    public static final int INTERNAL_ERROR = 70;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with every subcommand and locus's handling of refused input and of its own errors. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.registerConverter(CheckpointSource.class, CheckpointSource::parse);
        cli.setParameterExceptionHandler((e, given) -> {
            CommandLine.Model.CommandSpec spec = e.getCommandLine().getCommandSpec();
            e.getCommandLine().getErr().println("locus: command line: " + e.getMessage() + " (see bin/" + spec.qualifiedName() + " --help)");
            return BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof LocusException) {
                err.println("locus: " + e.getMessage());
                return BAD_INPUT;
            }
            err.println("locus: internal error, a bug in locus and not in its input: " + e
                    + "\nPlease report it with the stack trace below and the command that gave it.");
            e.printStackTrace(err);
            err.flush();
            return INTERNAL_ERROR;
        });
        return cli;
    }
}
