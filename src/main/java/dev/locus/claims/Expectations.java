package dev.locus.claims;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.JsonFiles;
import dev.locus.LocusException;
import dev.locus.measure.Protocol;
import dev.locus.measure.Run;
import dev.locus.model.Point;
import dev.locus.patching.Direction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a checkpoint pair is expected to show, read from {@code expectations/*.yaml}: how the run is
 * made (pairs, seed, split, site, bootstrap), each claim's thresholds and expected verdict, what
 * counts as a regression against a baseline run, and for a fixture the planted truth. Every field
 * is required and range-checked except the {@code precondition} and {@code regression} blocks,
 * whose fields default to {@link Precondition#DEFAULTS} and {@link Regression#DEFAULTS}; an unknown
 * key, a missing one or a value out of range is refused naming the file and the field.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Expectations(String name, String description, Run run, Precondition precondition, Asymmetry asymmetry,
        DoseResponse doseResponse, LowRank lowRank, SparseAttribution sparseAttribution, Regression regression, Truth truth) {

    /** The same expectations with a command line's run settings in place of the file's; null keeps the file's. */
    public Expectations overriddenBy(Integer pairs, Long seed, Point.Site site, Integer peakLayer) {
        return new Expectations(name, description, run.overriddenBy(pairs, seed, site, peakLayer), precondition, asymmetry, doseResponse,
                lowRank, sparseAttribution, regression, truth);
    }

    /** What the measurement runs: the run block, the dose grid, the ranks and random frames. */
    public Protocol protocol() {
        return new Protocol(name, run, doseResponse.alphas(), lowRank.ranks(), lowRank.randomDraws());
    }

    /** Which direction must carry the larger share of the gain at L*: {@code any}, or one of the two. */
    public enum Dominance {
        ANY("any"),
        TUNED_TO_BASE("tuned->base"),
        BASE_TO_TUNED("base->tuned");

        private final String label;

        Dominance(String label) {
            this.label = label;
        }

        @JsonValue
        public String label() {
            return label;
        }

        @JsonCreator
        public static Dominance parse(String label) {
            for (Dominance d : values()) {
                if (d.label.equals(label)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("expected any, tuned->base or base->tuned, found \"" + label + "\"");
        }

        public boolean admits(Direction dominant) {
            return this == ANY || label.equals(dominant.label());
        }
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

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Asymmetry(Verdict expect, Double holmAlpha, Double minDifference, Dominance direction, Double maxNoiseFraction) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record DoseResponse(Verdict expect, List<Double> alphas, Double maxStepDown, Double minSpearman, Double minMonotonePairs) {}

    /** {@code ranks} below the hidden size; the full rank is always measured as the plain patch. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LowRank(Verdict expect, List<Integer> ranks, Double minRecovery, Integer maxSmallestK, Integer randomDraws,
            Double maxRandomRecovery) {}

    /** {@code nAlphas}: how many alphas the LASSO path has, as scikit-learn's {@code LassoCV(n_alphas=...)} names it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SparseAttribution(Verdict expect, Integer folds, Integer nAlphas, Double alphaRatio, Integer maxLayers,
            List<Double> band, Integer bootstrapRefits, Double minTopFrequency) {}

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

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** Keys renamed since, with their new name: still read, with a deprecation line on stderr. */
    private static final Map<String, String> RENAMED = Map.of("sparse_attribution.alphas", "sparse_attribution.n_alphas");

    public static Expectations read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new LocusException(file, "(file)", "no such expectations file");
        }
        Expectations e;
        try {
            JsonNode tree = YAML.readTree(file.toFile());
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new LocusException(file, "(yaml)", "empty file");
            }
            if (!tree.isObject()) {
                throw new LocusException(file, "(yaml)", "expected a mapping of keys, found " + tree.getNodeType());
            }
            renameDeprecated(file, (ObjectNode) tree);
            e = YAML.treeToValue(tree, Expectations.class);
        } catch (JsonMappingException ex) {
            String reason = ex.getCause() instanceof IllegalArgumentException bad ? bad.getMessage() : ex.getOriginalMessage().split("\n")[0];
            throw new LocusException(file, JsonFiles.field(ex, "(yaml)"), reason);
        } catch (IOException ex) {
            throw new LocusException(file, "(yaml)", "cannot read: " + ex.getMessage());
        }
        new Validator(file).check(e);
        Precondition precondition = e.precondition() == null ? Precondition.DEFAULTS : e.precondition().withDefaults();
        Regression regression = e.regression() == null ? Regression.DEFAULTS : e.regression().withDefaults();
        return new Expectations(e.name(), e.description(), e.run(), precondition, e.asymmetry(), e.doseResponse(), e.lowRank(),
                e.sparseAttribution(), regression, e.truth());
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

            Asymmetry a = present("asymmetry", e.asymmetry());
            present("asymmetry.expect", a.expect());
            range("asymmetry.holm_alpha", present("asymmetry.holm_alpha", a.holmAlpha()), 1e-12, 0.5);
            range("asymmetry.min_difference", present("asymmetry.min_difference", a.minDifference()), 0, 10);
            present("asymmetry.direction", a.direction());
            range("asymmetry.max_noise_fraction", present("asymmetry.max_noise_fraction", a.maxNoiseFraction()), 0, 1);

            DoseResponse d = present("dose_response", e.doseResponse());
            present("dose_response.expect", d.expect());
            List<Double> alphas = present("dose_response.alphas", d.alphas());
            if (alphas.size() < 3 || !alphas.contains(0.0) || !alphas.contains(1.0)) {
                fail("dose_response.alphas", "needs at least 3 values including 0 and 1, found " + alphas);
            }
            for (int i = 1; i < alphas.size(); i++) {
                if (!(alphas.get(i) > alphas.get(i - 1))) {
                    fail("dose_response.alphas", "must increase, found " + alphas);
                }
            }
            range("dose_response.max_step_down", present("dose_response.max_step_down", d.maxStepDown()), 0, 1);
            range("dose_response.min_spearman", present("dose_response.min_spearman", d.minSpearman()), -1, 1);
            range("dose_response.min_monotone_pairs", present("dose_response.min_monotone_pairs", d.minMonotonePairs()), 0, 1);

            LowRank l = present("low_rank", e.lowRank());
            present("low_rank.expect", l.expect());
            List<Integer> ranks = present("low_rank.ranks", l.ranks());
            if (ranks.isEmpty() || ranks.get(0) < 1) {
                fail("low_rank.ranks", "needs ranks >= 1, found " + ranks);
            }
            for (int i = 1; i < ranks.size(); i++) {
                if (ranks.get(i) <= ranks.get(i - 1)) {
                    fail("low_rank.ranks", "must increase, found " + ranks);
                }
            }
            range("low_rank.min_recovery", present("low_rank.min_recovery", l.minRecovery()), 0, 1);
            range("low_rank.max_smallest_k", present("low_rank.max_smallest_k", l.maxSmallestK()), 1, 1_000_000);
            range("low_rank.random_draws", present("low_rank.random_draws", l.randomDraws()), 1, 100);
            range("low_rank.max_random_recovery", present("low_rank.max_random_recovery", l.maxRandomRecovery()), 0, 1);

            SparseAttribution s = present("sparse_attribution", e.sparseAttribution());
            present("sparse_attribution.expect", s.expect());
            range("sparse_attribution.folds", present("sparse_attribution.folds", s.folds()), 2, 20);
            range("sparse_attribution.n_alphas", present("sparse_attribution.n_alphas", s.nAlphas()), 2, 1000);
            range("sparse_attribution.alpha_ratio", present("sparse_attribution.alpha_ratio", s.alphaRatio()), 1e-8, 0.5);
            range("sparse_attribution.max_layers", present("sparse_attribution.max_layers", s.maxLayers()), 1, 1000);
            List<Double> band = present("sparse_attribution.band", s.band());
            if (band.size() != 2 || !(band.get(0) >= 0 && band.get(0) < band.get(1) && band.get(1) <= 1)) {
                fail("sparse_attribution.band", "expected [low, high] fractions of the depth with 0 <= low < high <= 1, found " + band);
            }
            range("sparse_attribution.bootstrap_refits", present("sparse_attribution.bootstrap_refits", s.bootstrapRefits()), 10, 10_000);
            range("sparse_attribution.min_top_frequency", present("sparse_attribution.min_top_frequency", s.minTopFrequency()), 0, 1);

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
