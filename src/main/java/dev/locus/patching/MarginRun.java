package dev.locus.patching;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.LocusException;
import dev.locus.Progress;
import dev.locus.Provenance;
import dev.locus.data.PairSampling;
import dev.locus.data.PairsFile;
import dev.locus.data.PreferencePair;
import dev.locus.model.Decoder;
import dev.locus.model.DecoderConfig;
import dev.locus.model.Tokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Preference margins of a recipient (and a donor), and the recipient's margin under one patch: one
 * line per pair of {@code out} (see {@link MarginsFile}), written as soon as the pair is done and in
 * the input's order, skipped pairs included; the run's inputs with their sha256 go to
 * {@code OUT.provenance.json} before the first pair.
 *
 * @param donor null for margins of the recipient alone
 * @param origins provenance entries of checkpoints named on the Hub (repository, revision, commit)
 * @param cell the patch, or null for clean margins
 */
public record MarginRun(Path recipient, Path donor, Map<String, String> origins, Sweep.Cell cell, Schedule schedule, Input input,
        long seed, Path out) {

    /** Where the pairs come from. */
    public sealed interface Input {}

    /** One pair of token ids, used exactly as given. */
    public record Ids(int[] prompt, int[] chosen, int[] rejected) implements Input {}

    /**
     * A pairs file, optionally sampled (stratified, seeded) and cut to its first {@code limit}
     * pairs; pairs longer than {@code maxTokens} (default: max_position_embeddings) are skipped.
     */
    public record Pairs(Path file, Integer limit, Integer sample, PairEncoder.Format format, Integer maxTokens) implements Input {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The output and its provenance sidecar: a new file in an existing folder, never an earlier
     * run's. Checked before any model loads.
     */
    public static void checkOutput(Path out) {
        Path parent = out.toAbsolutePath().getParent();
        if (Files.isDirectory(out)) {
            throw new LocusException(out, "--out", "is a directory; give a file name for the JSONL");
        }
        if (parent != null && !Files.isDirectory(parent)) {
            throw new LocusException(out, "--out", "folder " + parent + " does not exist");
        }
        for (Path p : List.of(out, provenanceOf(out))) {
            if (Files.exists(p)) {
                throw new LocusException(p, "--out", "exists: earlier margins are never overwritten; choose a new --out");
            }
        }
    }

    public static Path provenanceOf(Path out) {
        return Path.of(out + ".provenance.json");
    }

    /** Runs every pair, writing its line as it is done; returns the summary. */
    public Summary run() throws IOException {
        long started = System.nanoTime();
        Summary summary = new Summary(cell);
        // A donor is run beside the recipient, so the two share one set of widening buffers.
        try (NDManager root = NDManager.newBaseManager();
                Decoder alone = donor == null ? Decoder.load(recipient, root) : null;
                Decoder.Pair pair = donor == null ? null : Decoder.loadPair(recipient, donor, root)) {
            Decoder r = pair == null ? alone : pair.first();
            Decoder d = pair == null ? null : pair.second();
            if (d != null) {
                Sweep.requireCompatible(r, d);
                if (input instanceof Pairs) {
                    Tokenizer.requireSame(recipient, "recipient", donor);
                }
            }
            if (cell != null && cell.point().layer() >= r.config().numLayers()) {
                throw new LocusException("command line", "--point", cell.point().name() + ": layer " + cell.point().layer()
                        + " out of range, " + recipient + " has layers 0.." + (r.config().numLayers() - 1), null);
            }
            List<PairEncoder.Encoded> encoded = encode(r.config());
            writeProvenance(encoded);
            try (MarginsFile.Writer lines = MarginsFile.create(out)) {
                InInputOrder ordered = new InInputOrder(encoded, lines, summary);
                List<Prompted> runnable = new ArrayList<>();
                for (PairEncoder.Encoded e : encoded) {
                    if (e instanceof PairEncoder.Ok ok) {
                        runnable.add(ok.tokens());
                    }
                }
                try (Progress progress = Progress.of("locus margin", runnable.size(), 0)) {
                    if (d == null) {
                        for (Prompted p : runnable) {
                            try (NDManager work = root.newSubManager()) {
                                CleanRun run = CleanRun.of(r, work, p, schedule);
                                Margin m = Margin.of(run.tokenLogprobs(0), run.tokenLogprobs(1));
                                ordered.write(PairMargins.Measured.of(p, m, null, null, null));
                                summary.add(m, null, null);
                                progress.step();
                            }
                        }
                    } else {
                        List<Sweep.Cell> cells = cell == null ? List.of() : List.of(cell);
                        Sweep.donate(r, d, schedule, root, runnable, cells, result -> {
                            Margin patched = cell == null ? null : result.patched().get(0);
                            ordered.write(PairMargins.Measured.of(result.tokens(), result.recipient(), result.donor(), patched, cell));
                            summary.add(result.recipient(), result.donor(), patched);
                            progress.step();
                        });
                    }
                }
                ordered.finish();
            }
        }
        summary.seconds = (System.nanoTime() - started) / 1e9;
        return summary;
    }

    private List<PairEncoder.Encoded> encode(DecoderConfig config) {
        if (input instanceof Ids ids) {
            return List.of(new PairEncoder.Ok("ids", new Prompted("ids", ids.prompt(), List.of(ids.chosen(), ids.rejected()))));
        }
        Pairs f = (Pairs) input;
        List<PreferencePair> pairs = PairsFile.load(f.file());
        if (f.sample() != null) {
            pairs = PairSampling.stratified(pairs, f.sample(), seed);
        }
        if (f.limit() != null) {
            pairs = pairs.subList(0, Math.min(f.limit(), pairs.size()));
        }
        int positions = config.maxPositionEmbeddings();
        if (f.maxTokens() != null && (f.maxTokens() < 2 || f.maxTokens() > positions)) {
            throw new LocusException(recipient.resolve(DecoderConfig.FILE_NAME).toString(), "--max-tokens",
                    f.maxTokens() + " is outside 2.." + positions + " (max_position_embeddings)", null);
        }
        return PairEncoder.encodeAll(recipient, config, f.format(), f.maxTokens() == null ? positions : f.maxTokens(), pairs);
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

    private void writeProvenance(List<PairEncoder.Encoded> encoded) {
        Provenance.Builder p = Provenance.of("locus margin").seed(seed).checkpoint("recipient", recipient)
                .config("recipient", recipient.toAbsolutePath()).config("schedule", schedule.name().toLowerCase(Locale.ROOT))
                .configs(origins);
        if (donor != null) {
            p.checkpoint("donor", donor).config("donor", donor.toAbsolutePath());
        }
        if (input instanceof Pairs f) {
            p.file("pairs", f.file()).config("pairs", f.file().toAbsolutePath()).config("format", f.format().name().toLowerCase(Locale.ROOT));
            if (f.sample() != null) {
                p.config("sample", f.sample());
            }
            if (f.limit() != null) {
                p.config("limit", f.limit());
            }
            if (f.maxTokens() != null) {
                p.config("max_tokens", f.maxTokens());
            }
        } else {
            p.config("ids", Arrays.toString(((Ids) input).prompt()));
        }
        if (cell != null) {
            p.config("intervention", cell.label());
        }
        ObjectNode json = JSON.valueToTree(p.build());
        ArrayNode ids = json.putArray("pair_ids");
        encoded.forEach(e -> ids.add(e.id()));
        try {
            Files.writeString(provenanceOf(out), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + provenanceOf(out), e);
        }
    }

    /**
     * The closing summary, in the terms a user looks for: the mean margin (sum of log-probs, chosen
     * minus rejected) and its per-token variant; with a donor the mean gain donor - recipient and how
     * many pairs gained; with a patch how much of that gain it moved.
     */
    public static final class Summary {
        private final Sweep.Cell cell;
        private int pairs;
        private int skipped;
        private double recipient;
        private double recipientPerToken;
        private double gain;
        private int gained;
        private int donorCount;
        private double patchedGain;
        private int patchedCount;
        private double seconds;

        Summary(Sweep.Cell cell) {
            this.cell = cell;
        }

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

        public void print(PrintStream log) {
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
            log.println(b);
        }
    }
}
