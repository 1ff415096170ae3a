package dev.locus.cli;

import dev.locus.LocusException;
import dev.locus.data.PairsFile;
import dev.locus.hub.CheckpointSource;
import dev.locus.hub.HubEnvironment;
import dev.locus.patching.Generation;
import dev.locus.patching.PairEncoder;
import dev.locus.patching.SteeringFile;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/locus generate}: its options read into a {@link Generation}, whose continuations it prints. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Greedy continuations of prompts by a model, and with --steer the same continued with a steering vector added.")
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR|ORG/NAME[@REV]", description = "The model: a folder or a Hub model.")
    CheckpointSource model;

    @Option(names = "--steer", paramLabel = "FILE", description = "A run's steering.safetensors: its vector is added at its point, every position.")
    Path steer;

    @Option(names = "--scale", paramLabel = "C", description = "The vector's weight c (default: the best c the run measured).")
    Double scale;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "A prompt (repeatable).")
    List<String> prompts;

    @Option(names = "--pairs", paramLabel = "FILE", description = "JSONL preference pairs: their prompts are continued.")
    Path pairs;

    @Option(names = "--limit", defaultValue = "3", description = "With --pairs: the first N pairs (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--format", defaultValue = "raw", description = "raw | chat (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--max-new-tokens", defaultValue = "32", description = "Tokens generated per prompt (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Override
    public Integer call() {
        if ((prompts == null) == (pairs == null)) {
            throw new LocusException("command line", "--prompt", "give --prompt TEXT or --pairs FILE, one of the two", null);
        }
        if (limit < 1 || maxNewTokens < 1) {
            throw new LocusException("command line", limit < 1 ? "--limit" : "--max-new-tokens", "must be at least 1", null);
        }
        SteeringFile vector = steer == null ? null : SteeringFile.read(steer);
        if (scale != null && steer == null) {
            throw new LocusException("command line", "--scale", "needs --steer", null);
        }
        double c = scale != null ? scale : vector == null ? 0 : requireBest(vector);
        List<Generation.Prompt> given = prompts != null ? Generation.given(prompts)
                : PairsFile.load(pairs).stream().limit(limit).map(Generation.Prompt::of).toList();
        Path dir = model.locate(HubEnvironment.current(), System.err).dir();
        Generation generation = new Generation(dir, vector, steer, c, Arguments.parse("--format", format, PairEncoder.Format::parse),
                maxNewTokens);
        PrintStream out = System.out;
        generation.run(given, g -> {
            out.printf(Locale.ROOT, "== %s (%d prompt tokens) ==%n...%s%n", g.id(), g.promptTokens(), tail(g.prompt()));
            out.println("model:   " + g.plain());
            if (g.steered() != null) {
                out.printf(Locale.ROOT, "steered: %s%n         (c = %s x %s at %s)%n", g.steered(), c, steer, vector.point().name());
            }
        });
        return 0;
    }

    private double requireBest(SteeringFile vector) {
        if (vector.bestScale() == null) {
            throw new LocusException(steer, "__metadata__.best_scale", "none: the run found no weight within its fluency guard; give --scale C");
        }
        return vector.bestScale();
    }

    private static String tail(String prompt) {
        String flat = prompt.replace("\n", " ").strip();
        return flat.length() <= 160 ? flat : flat.substring(flat.length() - 160);
    }
}
