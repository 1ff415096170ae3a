package dev.locus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locus.LocusException;
import dev.locus.hub.CheckpointSource;
import dev.locus.hub.HubEnvironment;
import dev.locus.model.Point;
import dev.locus.patching.Intervention;
import dev.locus.patching.MarginRun;
import dev.locus.patching.PatchPositions;
import dev.locus.patching.Schedule;
import dev.locus.patching.Sweep;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/locus margin}: its options read into a {@link MarginRun}, which measures. */
@Command(name = "margin", mixinStandardHelpOptions = true,
        description = "Preference margins (sum log p(chosen|prompt) - sum log p(rejected|prompt)), optionally under a patch.")
public final class MarginCommand implements Callable<Integer> {
    @Option(names = "--recipient", required = true, paramLabel = "DIR|ORG/NAME[@REV]",
            description = "Checkpoint whose margins are measured and patched: a folder or a Hub model.")
    CheckpointSource recipientSource;

    @Option(names = "--donor", paramLabel = "DIR|ORG/NAME[@REV]", description = "Checkpoint whose activations are patched in: a folder or a Hub model.")
    CheckpointSource donorSource;

    @Option(names = "--point", description = "resid_post.L, block_out.L, attn_out.L, mlp_out.L or embed.")
    String point;

    @Option(names = "--kind", defaultValue = "replace",
            description = "replace | interpolate | subspace | zero | mean | noise | shuffled (default ${DEFAULT-VALUE}).")
    String kind;

    @Option(names = "--alpha", description = "Interpolation weight; outside [0, 1] extrapolates (default 1; replace takes none).")
    Double alpha;

    @Option(names = "--positions", defaultValue = "all", description = "all | prompt | completion | last (default ${DEFAULT-VALUE}).")
    String positions;

    @Option(names = "--basis", description = "subspace: JSON file of k rows of hidden_size numbers, orthonormal.")
    Path basis;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of sampling, noise and shuffling (default ${DEFAULT-VALUE}).")
    long seed;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @ArgGroup(exclusive = false)
        PairsOptions file;

        @ArgGroup(exclusive = false)
        IdsOptions ids;
    }

    @Option(names = "--schedule", defaultValue = "cached", description = "cached | naive (default ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--out", required = true, description = "Output JSONL, one line per pair.")
    Path out;

    @Override
    public Integer call() throws IOException {
        Schedule order = Arguments.parse("--schedule", schedule, name -> Schedule.valueOf(name.toUpperCase(Locale.ROOT)));
        Sweep.Cell cell = point == null ? null : new Sweep.Cell(Arguments.parse("--point", point, Point::parse),
                Arguments.parse("--kind", kind, k -> Intervention.of(k, alpha, readBasis(), PatchPositions.parse(positions), seed)));
        if (cell != null && donorSource == null && cell.intervention().needs().contains(Intervention.Target.DONOR)) {
            throw new LocusException("command line", "--donor", "--kind " + kind + " at --point " + point + " needs --donor", null);
        }
        if (cell == null && (basis != null || !kind.equals("replace") || alpha != null || !positions.equals("all"))) {
            throw new LocusException("command line", "--point", "--kind, --alpha, --basis and --positions need --point", null);
        }
        MarginRun.checkOutput(out);
        MarginRun.Input pairs = input.ids != null ? input.ids.read() : input.file.read();
        HubEnvironment hub = HubEnvironment.current();
        CheckpointSource.Located recipient = recipientSource.locate(hub, System.err);
        CheckpointSource.Located donor = donorSource == null ? null : donorSource.locate(hub, System.err);
        Map<String, String> origins = recipient.provenance("recipient");
        if (donor != null) {
            origins.putAll(donor.provenance("donor"));
        }
        new MarginRun(recipient.dir(), donor == null ? null : donor.dir(), origins, cell, order, pairs, seed, out).run().print(System.err);
        return 0;
    }

    private float[][] readBasis() {
        if (basis == null) {
            return null;
        }
        try {
            return new ObjectMapper().readValue(basis.toFile(), float[][].class);
        } catch (IOException e) {
            throw new LocusException(basis, "(json)", "expected k rows of numbers: " + e.getMessage());
        }
    }
}
