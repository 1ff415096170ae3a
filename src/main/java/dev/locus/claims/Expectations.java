package dev.locus.claims;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.locus.JsonFiles;
import dev.locus.LocusException;
import dev.locus.measure.Protocol;
import dev.locus.measure.Run;
import dev.locus.model.Point;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a checkpoint pair is expected to show, read from {@code expectations/*.yaml}: how the run is
 * made (pairs, seed, split, site, bootstrap), each claim's section (its thresholds and expected
 * verdict, see {@link Claim#sectionType}), what counts as a regression against a baseline, and for a
 * fixture the planted truth. Every field is required and range-checked except the
 * {@code precondition} and {@code regression} blocks, whose fields default to
 * {@link Precondition#DEFAULTS} and {@link Regression#DEFAULTS}, and the sections of claims that
 * have an {@link Claim#absentSection}; an unknown key, a missing one or a value out of range is
 * refused naming the file and the field.
 *
 * @param sections each claim's section by the claim's name, in the order of {@link Claims#ALL}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonDeserialize(using = Expectations.Reader.class)
public record Expectations(String name, String description, Run run, Precondition precondition,
        @JsonIgnore Map<String, Claim.Section> sections, Regression regression, Truth truth) {

    /** The same expectations with a command line's run settings in place of the file's; null keeps the file's. */
    public Expectations overriddenBy(Integer pairs, Long seed, Point.Site site, Integer peakLayer) {
        return new Expectations(name, description, run.overriddenBy(pairs, seed, site, peakLayer), precondition, sections, regression,
                truth);
    }

    /** The same expectations with {@code section} as {@code claim}'s. */
    public <S extends Claim.Section> Expectations with(Claim<S, ?> claim, S section) {
        Map<String, Claim.Section> changed = new LinkedHashMap<>(sections);
        changed.put(claim.name(), section);
        return new Expectations(name, description, run, precondition, changed, regression, truth);
    }

    /** {@code claim}'s section. */
    public <S extends Claim.Section> S section(Claim<S, ?> claim) {
        return claim.sectionType().cast(sections.get(claim.name()));
    }

    /** What the measurement runs: the run block and what each claim's section asks measured. */
    public Protocol protocol() {
        Protocol protocol = Protocol.of(name, run);
        for (Claim<?, ?> claim : Claims.ALL) {
            protocol = measuring(claim, protocol);
        }
        return protocol;
    }

    private <S extends Claim.Section> Protocol measuring(Claim<S, ?> claim, Protocol protocol) {
        return claim.measuring(section(claim), protocol);
    }

    /** As files spell them: each section under its claim's name, beside the other blocks. */
    @JsonAnyGetter
    Map<String, Claim.Section> sectionsByName() {
        return sections;
    }

    /**
     * What every claim presupposes: the tuned model gains at least {@code minGain} nats of margin
     * per pair on average, besides a bootstrap interval that excludes 0. A significance test alone
     * calls any systematic shift a gain, however small: two checkpoints that differ by a little
     * weight noise, or by rounding, shift margins by thousandths of a nat, and with enough pairs (or
     * by chance on a few seeds) that shift is significant.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Precondition(Double minGain) {
        public static final Precondition DEFAULTS = new Precondition(0.01);

        Precondition withDefaults() {
            return new Precondition(minGain != null ? minGain : DEFAULTS.minGain);
        }
    }

    /**
     * What counts as a regression of a new run against a baseline run of the same pairs, seed and
     * expectations, besides a claim that held and now fails: the peak layer moving by more than
     * {@code maxPeakShift} layers; the share of the gain carried at the baseline's peak layer
     * dropping by more than {@code maxShareDrop} with the two bootstrap intervals apart; the smallest
     * sufficient rank growing by more than {@code maxRankSteps} steps of the rank grid; the
     * baseline's top LASSO layer no longer selected.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Regression(Integer maxPeakShift, Double maxShareDrop, Integer maxRankSteps) {
        public static final Regression DEFAULTS = new Regression(1, 0.2, 1);

        Regression withDefaults() {
            return new Regression(maxPeakShift != null ? maxPeakShift : DEFAULTS.maxPeakShift,
                    maxShareDrop != null ? maxShareDrop : DEFAULTS.maxShareDrop, maxRankSteps != null ? maxRankSteps : DEFAULTS.maxRankSteps);
        }
    }

    /** A fixture's planted answer: L* must be a planted layer, LASSO's layers within {@code layerTolerance} of one, smallest k <= the planted rank. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Truth(List<Integer> plantedLayers, Integer plantedRank, Integer layerTolerance) {}

    /** The blocks every file may have besides the claims' sections. */
    private static final List<String> BLOCKS = List.of("name", "description", "run", "precondition", "regression", "truth");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** Keys renamed since, with their new name: still read, with a deprecation line on stderr. */
    private static final Map<String, String> RENAMED = Map.of("sparse_attribution.alphas", "sparse_attribution.n_alphas");

    public static Expectations read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new LocusException(file, "(file)", "no such expectations file");
        }
        JsonNode tree;
        try {
            tree = YAML.readTree(file.toFile());
        } catch (IOException ex) {
            throw new LocusException(file, "(yaml)", "cannot read: " + ex.getMessage());
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new LocusException(file, "(yaml)", "empty file");
        }
        if (!tree.isObject()) {
            throw new LocusException(file, "(yaml)", "expected a mapping of keys, found " + tree.getNodeType());
        }
        renameDeprecated(file, (ObjectNode) tree);
        Expectations e = of(tree, file);
        new Validator(file).check(e);
        Precondition precondition = e.precondition() == null ? Precondition.DEFAULTS : e.precondition().withDefaults();
        Regression regression = e.regression() == null ? Regression.DEFAULTS : e.regression().withDefaults();
        return new Expectations(e.name(), e.description(), e.run(), precondition, e.sections(), regression, e.truth());
    }

    /**
     * The expectations a tree holds, each block read as its type: an unknown key or a value that
     * does not fit is refused naming the file and the field. A claim's absent section is its
     * {@link Claim#absentSection} (null where it has none, which the validator refuses).
     */
    private static Expectations of(JsonNode tree, Path file) {
        List<String> known = new ArrayList<>(BLOCKS);
        Claims.ALL.forEach(c -> known.add(c.name()));
        tree.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                throw new LocusException(file, key, "unknown key: expected one of " + known);
            }
        });
        Map<String, Claim.Section> sections = new LinkedHashMap<>();
        for (Claim<?, ?> claim : Claims.ALL) {
            sections.put(claim.name(), section(claim, tree, file));
        }
        return new Expectations(block(tree, "name", String.class, file), block(tree, "description", String.class, file),
                block(tree, "run", Run.class, file), block(tree, "precondition", Precondition.class, file), sections,
                block(tree, "regression", Regression.class, file), block(tree, "truth", Truth.class, file));
    }

    private static <S extends Claim.Section> S section(Claim<S, ?> claim, JsonNode tree, Path file) {
        S section = block(tree, claim.name(), claim.sectionType(), file);
        return section != null ? section : claim.absentSection();
    }

    private static <T> T block(JsonNode tree, String key, Class<T> type, Path file) {
        JsonNode node = tree.get(key);
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            return YAML.treeToValue(node, type);
        } catch (JsonMappingException ex) {
            String reason = ex.getCause() instanceof IllegalArgumentException bad ? bad.getMessage() : ex.getOriginalMessage().split("\n")[0];
            String field = JsonFiles.field(ex, "");
            throw new LocusException(file, field.isEmpty() ? key : key + "." + field, reason);
        } catch (IOException ex) {
            throw new LocusException(file, key, "cannot read: " + ex.getMessage());
        }
    }

    /** Reads expectations as a results file holds them. */
    static final class Reader extends JsonDeserializer<Expectations> {
        @Override
        public Expectations deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            return of(parser.readValueAsTree(), null);
        }
    }

    private static void renameDeprecated(Path file, ObjectNode tree) {
        RENAMED.forEach((old, renamed) -> {
            String[] from = old.split("\\.");
            String[] to = renamed.split("\\.");
            if (tree.get(from[0]) instanceof ObjectNode block && block.has(from[1])) {
                if (block.has(to[1])) {
                    throw new LocusException(file, old, "set beside its new name " + renamed + ": keep only " + renamed);
                }
                block.set(to[1], block.remove(from[1]));
                System.err.println("locus: " + file + ": " + old + " is deprecated: it was renamed " + renamed + "; read as "
                        + renamed);
            }
        });
    }

    /** Range checks with the field's dotted name in every message. */
    private record Validator(Path file) {
        void check(Expectations e) {
            present("name", e.name());
            present("run", e.run());
            Run r = e.run();
            range("run.pairs", present("run.pairs", r.pairs()), 10, 100_000);
            present("run.seed", r.seed());
            present("run.control_seed", r.controlSeed());
            range("run.held_out_fraction", present("run.held_out_fraction", r.heldOutFraction()), 0.1, 0.9);
            if (!List.of(Point.Site.BLOCK_OUT, Point.Site.RESID_POST).contains(present("run.site", r.site()))) {
                fail("run.site", "expected block_out or resid_post, found \"" + r.site() + "\"");
            }
            present("run.positions", r.positions());
            if (r.peakLayer() != null) {
                range("run.peak_layer", r.peakLayer(), 0, 1000);
            }
            range("run.bootstrap_resamples", present("run.bootstrap_resamples", r.bootstrapResamples()), 100, 100_000);
            range("run.confidence", present("run.confidence", r.confidence()), 0.5, 0.999);

            if (e.precondition() != null && e.precondition().minGain() != null) {
                range("precondition.min_gain", e.precondition().minGain(), 0, 1000);
            }

            for (Claim<?, ?> claim : Claims.ALL) {
                validate(claim, e);
            }

            if (e.regression() != null) {
                Regression g = e.regression();
                if (g.maxPeakShift() != null) {
                    range("regression.max_peak_shift", g.maxPeakShift(), 0, 1000);
                }
                if (g.maxShareDrop() != null) {
                    range("regression.max_share_drop", g.maxShareDrop(), 0, 10);
                }
                if (g.maxRankSteps() != null) {
                    range("regression.max_rank_steps", g.maxRankSteps(), 0, 100);
                }
            }
            if (e.truth() != null) {
                Truth t = e.truth();
                present("truth.planted_layers", t.plantedLayers());
                range("truth.planted_rank", present("truth.planted_rank", t.plantedRank()), 0, 1_000_000);
                range("truth.layer_tolerance", present("truth.layer_tolerance", t.layerTolerance()), 0, 1000);
            }
        }

        private <S extends Claim.Section> void validate(Claim<S, ?> claim, Expectations e) {
            claim.validate(present(claim.name(), e.section(claim)), new Fields(file, claim.name()));
        }

        private <T> T present(String field, T value) {
            if (value == null) {
                fail(field, "missing");
            }
            return value;
        }

        private void range(String field, double value, double low, double high) {
            if (!(value >= low && value <= high)) {
                fail(field, "must be in [" + low + ", " + high + "], found " + value);
            }
        }

        private void fail(String field, String reason) {
            throw new LocusException(file, field, reason);
        }
    }
}
