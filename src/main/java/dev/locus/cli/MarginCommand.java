package dev.locus.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.LocusException;
import dev.locus.hub.CheckpointSource;
import dev.locus.hub.HubEnvironment;
import dev.locus.Provenance;
import dev.locus.data.PairSampling;
import dev.locus.data.PairsFile;
import dev.locus.data.PreferencePair;
import dev.locus.model.Decoder;
import dev.locus.model.Tokenizer;
import dev.locus.patching.CleanRun;
import dev.locus.patching.Intervention;
import dev.locus.patching.Margin;
import dev.locus.patching.MarginsFile;
import dev.locus.patching.PairEncoder;
import dev.locus.patching.PairMargins;
import dev.locus.model.Point;
import dev.locus.patching.PatchPositions;
import dev.locus.patching.Prompted;
import dev.locus.patching.SkippedPair;
import dev.locus.patching.Schedule;
import dev.locus.patching.Sweep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Preference margins of a recipient (and a donor), and the recipient's margin under one
 * intervention. One JSONL line per pair, written as soon as the pair is done; the run's inputs
 * with their sha256 go to {@code OUT.provenance.json} before the first pair.
 */
@Command(name = "margin", mixinStandardHelpOptions = true,
        description = "Preference margins (sum log p(chosen|prompt) - sum log p(rejected|prompt)), optionally under a patch.")
public final class MarginCommand implements Callable<Integer> {
    @Option(names = "--recipient", required = true, paramLabel = "DIR|ORG/NAME[@REV]",
            description = "Checkpoint whose margins are measured and patched: a folder or a Hub model.")
    CheckpointSource recipientSource;

    @Option(names = "--donor", paramLabel = "DIR|ORG/NAME[@REV]", description = "Checkpoint whose activations are patched in: a folder or a Hub model.")
    CheckpointSource donorSource;

    /** The checkpoints as found: folders, Hub names resolved to their commits. */
    private CheckpointSource.Located recipientFound;
    private CheckpointSource.Located donorFound;
    private Path recipient;
    private Path donor;

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
        FromFile file;

        @ArgGroup(exclusive = false)
        FromIds ids;
    }

    static final class FromFile {
        @Option(names = "--pairs", required = true, description = "JSONL of {id, prompt, chosen, rejected, subset?}.")
        Path pairs;

        @Option(names = "--limit", description = "Only the first N pairs of the file.")
        Integer limit;

        @Option(names = "--sample", description = "A seeded sample of N pairs, stratified by subset (e.g. 80).")
        Integer sample;

        @Option(names = "--format", defaultValue = "raw", description = "raw | chat (default ${DEFAULT-VALUE}).")
        String format;

        @Option(names = "--max-tokens", description = "Skip (and report) pairs longer than this (default: max_position_embeddings).")
        Integer maxTokens;
    }

    static final class FromIds {
        @Option(names = "--ids", required = true, split = ",", description = "Prompt token ids, used exactly as given (no BOS added).")
        int[] prompt;

        @Option(names = "--chosen-ids", required = true, split = ",")
        int[] chosen;

        @Option(names = "--rejected-ids", required = true, split = ",")
        int[] rejected;
    }

    @Option(names = "--schedule", defaultValue = "cached", description = "cached | naive (default ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--out", required = true, description = "Output JSONL, one line per pair.")
    Path out;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws IOException {
        Schedule order = Schedule.valueOf(schedule.toUpperCase(Locale.ROOT));
        Sweep.Cell cell = point == null ? null : cell();
        if (cell != null && donorSource == null && cell.intervention().needs().contains(Intervention.Target.DONOR)) {
            throw new IllegalArgumentException("--kind " + kind + " at --point " + point + " needs --donor");
        }
        if (cell == null && (basis != null || !kind.equals("replace") || alpha != null || !positions.equals("all"))) {
            throw new IllegalArgumentException("--kind, --alpha, --basis and --positions need --point");
        }
        checkOutput();
        if (input.file != null && input.file.limit != null && input.file.limit < 1) {
            throw new LocusException("--limit", "--limit", "must be at least 1, found " + input.file.limit, null);
        }
        HubEnvironment hub = HubEnvironment.current();
        recipientFound = recipientSource.locate(hub, System.err);
        recipient = recipientFound.dir();
        donorFound = donorSource == null ? null : donorSource.locate(hub, System.err);
        donor = donorFound == null ? null : donorFound.dir();
        long started = System.nanoTime();
        // A donor is run beside the recipient, so the two share one set of widening buffers.
        try (NDManager root = NDManager.newBaseManager();
                Decoder alone = donor == null ? Decoder.load(recipient, root) : null;
                Decoder.Pair pair = donor == null ? null : Decoder.loadPair(recipient, donor, root)) {
            Decoder r = pair == null ? alone : pair.first();
            Decoder d = pair == null ? null : pair.second();
            if (d != null) {
                Sweep.requireCompatible(r, d);
                if (input.file != null) {
                    Tokenizer.requireSame(recipient, "recipient", donor);
                }
            }
            if (cell != null) {
                cell.point().checkedFor(r.config().numLayers());
            }
            List<PairEncoder.Encoded> encoded = encode(r);
            writeProvenance(cell, order, encoded);
            Summary summary = new Summary();
            try (MarginsFile.Writer lines = MarginsFile.create(out)) {
                InInputOrder ordered = new InInputOrder(encoded, lines, summary);
                List<Prompted> runnable = new ArrayList<>();
                for (PairEncoder.Encoded e : encoded) {
                    if (e instanceof PairEncoder.Ok ok) {
                        runnable.add(ok.tokens());
                    }
                }
                int total = runnable.size();
                try (dev.locus.Progress progress = dev.locus.Progress.of("locus margin", total, 0)) {
                    if (d == null) {
                        for (Prompted p : runnable) {
                            try (NDManager work = root.newSubManager()) {
                                CleanRun run = CleanRun.of(r, work, p, order);
                                Margin m = Margin.of(run.tokenLogprobs(0), run.tokenLogprobs(1));
                                ordered.write(PairMargins.Measured.of(p, m, null, null, null));
                                summary.add(m, null, null);
                                progress.step();
                            }
                        }
                    } else {
                        List<Sweep.Cell> cells = cell == null ? List.of() : List.of(cell);
                        Sweep.donate(r, d, order, root, runnable, cells, result -> {
                            Margin patched = cell == null ? null : result.patched().get(0);
                            ordered.write(PairMargins.Measured.of(result.tokens(), result.recipient(), result.donor(), patched, cell));
                            summary.add(result.recipient(), result.donor(), patched);
                            progress.step();
                        });
                    }
                }
                ordered.finish();
            }
            summary.print(cell, (System.nanoTime() - started) / 1e9);
        }
        return 0;
    }

    /** The results file and its provenance sidecar: a new file in an existing folder, never an earlier run's. */
    private void checkOutput() {
        Path parent = out.toAbsolutePath().getParent();
        if (Files.isDirectory(out)) {
            throw new LocusException(out, "--out", "is a directory; give a file name for the JSONL");
        }
        if (parent != null && !Files.isDirectory(parent)) {
            throw new LocusException(out, "--out", "folder " + parent + " does not exist");
        }
        for (Path p : List.of(out, Path.of(out + ".provenance.json"))) {
            if (Files.exists(p)) {
                throw new LocusException(p, "--out", "exists: earlier margins are never overwritten; choose a new --out");
            }
        }
    }

    private Sweep.Cell cell() {
        return new Sweep.Cell(Point.parse(point), Intervention.of(kind, alpha, readBasis(), PatchPositions.parse(positions), seed));
    }

    private float[][] readBasis() {
        if (basis == null) {
            return null;
        }
        try {
            return JSON.readValue(basis.toFile(), float[][].class);
        } catch (IOException e) {
            throw new LocusException(basis, "(json)", "expected k rows of numbers: " + e.getMessage());
        }
    }

    private List<PairEncoder.Encoded> encode(Decoder r) {
        if (input.ids != null) {
            return List.of(new PairEncoder.Ok("ids", new Prompted("ids", input.ids.prompt,
                    List.of(input.ids.chosen, input.ids.rejected))));
        }
        FromFile f = input.file;
        List<PreferencePair> pairs = PairsFile.load(f.pairs);
        if (f.sample != null) {
            pairs = PairSampling.stratified(pairs, f.sample, seed);
        }
        if (f.limit != null) {
            pairs = pairs.subList(0, Math.min(f.limit, pairs.size()));
        }
        int positions = r.config().maxPositionEmbeddings();
        if (f.maxTokens != null && (f.maxTokens < 2 || f.maxTokens > positions)) {
            throw new LocusException(recipient.resolve(dev.locus.model.DecoderConfig.FILE_NAME).toString(), "--max-tokens",
                    f.maxTokens + " is outside 2.." + positions + " (max_position_embeddings)", null);
        }
        return PairEncoder.encodeAll(recipient, r.config(), PairEncoder.Format.parse(f.format), f.maxTokens == null ? positions : f.maxTokens,
                pairs);
    }

    /**
     * Writes result lines in the order of the input pairs: a skipped pair's line goes out just
     * before the next computed pair that follows it.
     */
    private static final class InInputOrder {
        private final List<PairEncoder.Encoded> encoded;
        private final MarginsFile.Writer lines;
        private final Summary summary;
        private int next;

        InInputOrder(List<PairEncoder.Encoded> encoded, MarginsFile.Writer lines, Summary summary) {
            this.encoded = encoded;
            this.lines = lines;
            this.summary = summary;
        }

        void write(PairMargins.Measured line) {
            skippedUntil(line.id());
            lines.write(line);
            next++;
        }

        void finish() {
            skippedUntil(null);
        }

        private void skippedUntil(String id) {
            while (next < encoded.size() && !encoded.get(next).id().equals(id)) {
                if (encoded.get(next) instanceof SkippedPair s) {
                    lines.write(s);
                    summary.skipped++;
                    System.err.printf("locus margin: skipped %s: %s%n", s.id(), s.reason());
                }
                next++;
            }
        }
    }

    private void writeProvenance(Sweep.Cell cell, Schedule order, List<PairEncoder.Encoded> encoded) throws IOException {
        Provenance.Builder p = Provenance.of("locus margin").seed(seed).checkpoint("recipient", recipient)
                .config("recipient", recipient.toAbsolutePath()).config("schedule", order.name().toLowerCase(Locale.ROOT));
        if (recipientFound.origin() != null) {
            p.configs(recipientFound.origin().provenance("recipient"));
        }
        if (donor != null) {
            p.checkpoint("donor", donor).config("donor", donor.toAbsolutePath());
            if (donorFound.origin() != null) {
                p.configs(donorFound.origin().provenance("donor"));
            }
        }
        if (input.file != null) {
            p.file("pairs", input.file.pairs).config("pairs", input.file.pairs.toAbsolutePath()).config("format", input.file.format);
            if (input.file.sample != null) {
                p.config("sample", input.file.sample);
            }
            if (input.file.limit != null) {
                p.config("limit", input.file.limit);
            }
            if (input.file.maxTokens != null) {
                p.config("max_tokens", input.file.maxTokens);
            }
        } else {
            p.config("ids", Arrays.toString(input.ids.prompt));
        }
        if (cell != null) {
            p.config("intervention", cell.label());
        }
        ObjectNode json = JSON.valueToTree(p.build());
        ArrayNode ids = json.putArray("pair_ids");
        encoded.forEach(e -> ids.add(e.id()));
        Files.writeString(Path.of(out + ".provenance.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    /**
     * The closing summary on stderr, in the terms a user looks for: the mean margin (sum of
     * log-probs, chosen minus rejected) and its per-token variant; with a donor the mean gain
     * donor - recipient and how many pairs gained; with a patch how much of that gain it moved.
     */
    private static final class Summary {
        int pairs;
        int skipped;
        double recipient;
        double recipientPerToken;
        double gain;
        int gained;
        int donorCount;
        double patchedGain;
        int patchedCount;

        void add(Margin r, Margin d, Margin p) {
            pairs++;
            recipient += r.margin();
            recipientPerToken += r.meanMargin();
            if (d != null) {
                gain += d.margin() - r.margin();
                gained += d.margin() > r.margin() ? 1 : 0;
                donorCount++;
            }
            if (p != null) {
                patchedGain += p.margin() - r.margin();
                patchedCount++;
            }
        }

        void print(Sweep.Cell cell, double seconds) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "locus margin: %d pairs, %d skipped", pairs, skipped));
            if (pairs > 0) {
                b.append(String.format(Locale.ROOT, "; recipient mean margin %.4f (per-token mean %.4f)", recipient / pairs,
                        recipientPerToken / pairs));
                if (donorCount > 0) {
                    b.append(String.format(Locale.ROOT, "; mean gain donor - recipient %.4f, %d of %d pairs gained", gain / donorCount,
                            gained, donorCount));
                }
                if (patchedCount > 0) {
                    b.append(String.format(Locale.ROOT, "; %s moves the recipient by %.4f on average", cell.label(),
                            patchedGain / patchedCount));
                    if (donorCount > 0 && gain != 0) {
                        b.append(String.format(Locale.ROOT, " (%.1f %% of the gain)", 100 * patchedGain / gain));
                    }
                }
            }
            b.append(String.format(Locale.ROOT, "; %.1f s", seconds));
            System.err.println(b);
        }
    }
}
