package dev.locus.measure;

import ai.djl.Device;
import dev.locus.LocusException;
import dev.locus.Provenance;
import dev.locus.data.PairSampling;
import dev.locus.data.PairsFile;
import dev.locus.data.PreferencePair;
import dev.locus.model.DecoderConfig;
import dev.locus.model.Tokenizer;
import dev.locus.patching.PairEncoder;
import dev.locus.patching.Prompted;
import dev.locus.patching.SkippedPair;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a measurement will run on, checked before any model is loaded: the encoded pairs, the
 * fit/held-out split, the device and the provenance every result of the run carries.
 */
public record Plan(Subject subject, Protocol protocol, DecoderConfig config, List<Prompted> pairs, List<SkippedPair> skipped,
        boolean[] heldOut, Device device, Provenance provenance) {

    /** The key of the in-process models' load seconds in {@code timings}. */
    public static final String LOAD_MODELS_TIMING = "load_models";

    /** The fewest encodable pairs the claims are computed on. */
    public static final int MIN_PAIRS = 10;

    /**
     * Checks the inputs and encodes the pairs: the tokenizers must be the same file, the peak layer
     * (when named) must exist, at least {@link #MIN_PAIRS} pairs must encode. Hashes every input file.
     */
    public static Plan of(Subject subject, Protocol protocol, Device device) {
        Run run = protocol.run();
        Tokenizer.requireSame(subject.base(), "base", subject.tuned());
        DecoderConfig config = DecoderConfig.read(subject.base());
        requirePeakLayer(subject, run, config);
        Sample sample = Sample.of(subject, run);
        List<Prompted> pairs = new ArrayList<>();
        List<SkippedPair> skipped = new ArrayList<>();
        for (PairEncoder.Encoded e : PairEncoder.encodeAll(subject.base(), config, PairEncoder.Format.RAW,
                config.maxPositionEmbeddings(), sample.pairs())) {
            if (e instanceof PairEncoder.Ok ok) {
                pairs.add(ok.tokens());
            } else {
                skipped.add((SkippedPair) e);
            }
        }
        if (pairs.size() < MIN_PAIRS) {
            throw new LocusException(subject.pairs(), "pairs", "only " + pairs.size() + " of " + sample.pairs().size()
                    + " sampled pairs encode; the claims need at least " + MIN_PAIRS);
        }
        Provenance.Builder provenance = settings(Provenance.of("locus measure"), subject, protocol, config, device, pairs.size(), skipped)
                .checkpoint("base", subject.base()).checkpoint("tuned", subject.tuned());
        if (subject.baseOrigin() != null) {
            provenance.configs(subject.baseOrigin().provenance("base"));
        }
        if (subject.tunedOrigin() != null) {
            provenance.configs(subject.tunedOrigin().provenance("tuned"));
        }
        provenance.file("pairs", subject.pairs()).file("expectations", subject.expectationsFile())
                .config("format", PairEncoder.Format.RAW.name().toLowerCase(java.util.Locale.ROOT));
        return new Plan(subject, protocol, config, List.copyOf(pairs), List.copyOf(skipped), sample.heldOut(pairs), device, provenance.build());
    }

    /**
     * A plan on synthetic tokens, for timing where no tokenizer of the checkpoints' vocabulary is
     * at hand: the same sample and split as {@link #of}, each pair's texts replaced by random ids
     * of the length {@code tokens} estimates. Needs two pairs at least (one fit, one held out).
     */
    public static Plan synthetic(Subject subject, Protocol protocol, DecoderConfig config, SyntheticTokens tokens, Device device) {
        Run run = protocol.run();
        requirePeakLayer(subject, run, config);
        Sample sample = Sample.of(subject, run);
        if (sample.pairs().size() < 2) {
            throw new LocusException(subject.pairs(), "pairs", "a synthetic plan needs two pairs (one fit, one held out), found "
                    + sample.pairs().size());
        }
        Random random = new Random(tokens.seed());
        List<Prompted> pairs = sample.pairs().stream().map(p -> tokens.encode(p, random, config)).toList();
        Provenance provenance = settings(Provenance.of("locus bench-reproduce"), subject, protocol, config, device, pairs.size(), List.of())
                .file("pairs", subject.pairs()).config("base", subject.base()).config("tuned", subject.tuned())
                .config("format", tokens.describe())
                .build();
        return new Plan(subject, protocol, config, pairs, List.of(), sample.heldOut(pairs), device, provenance);
    }

    /**
     * Runs the plan in this JVM: both models loaded on its device ({@code timings}' {@code load_models}),
     * then every phase of the protocol; skips the units {@code journal} holds and records each one it
     * finishes; {@code timings} receives each phase's wall seconds.
     */
    public Measurement measure(PrintStream log, Journal journal, Map<String, Double> timings) {
        long started = System.nanoTime();
        try (Runner here = new InProcess(this)) {
            timings.put(LOAD_MODELS_TIMING, (System.nanoTime() - started) / 1e9);
            return measure(here, log, journal, timings);
        }
    }

    /** As {@link #measure(PrintStream, Journal, Map)}, the per-pair work on {@code runner}. */
    public Measurement measure(Runner runner, PrintStream log, Journal journal, Map<String, Double> timings) {
        return Phases.measure(this, runner, log, journal, timings);
    }

    public int heldOutCount() {
        int count = 0;
        for (boolean h : heldOut) {
            count += h ? 1 : 0;
        }
        return count;
    }

    private static void requirePeakLayer(Subject subject, Run run, DecoderConfig config) {
        if (run.peakLayer() != null && run.peakLayer() >= config.numLayers()) {
            throw new LocusException(subject.expectationsFile(), "run.peak_layer",
                    "layer " + run.peakLayer() + " out of range, the models have layers 0.." + (config.numLayers() - 1));
        }
    }

    private static Provenance.Builder settings(Provenance.Builder p, Subject subject, Protocol protocol, DecoderConfig config, Device device,
            int measured, List<SkippedPair> skipped) {
        Run run = protocol.run();
        return p.seed(run.seed())
                .config("subject", subject.name()).config("expectations", protocol.name()).config("model_type", config.family().modelType())
                .config("pairs_requested", run.pairs()).config("held_out_fraction", run.heldOutFraction())
                .config("site", run.site().label()).config("positions", run.positions().label()).config("control_seed", run.controlSeed())
                .config("bootstrap_resamples", run.bootstrapResamples()).config("confidence", run.confidence())
                .config("peak_layer", run.peakLayer() == null ? Measurement.Peak.BY_ARGMAX : run.peakLayer())
                .config("schedule", "cached").config("device", device.isGpu() ? "gpu:" + device.getDeviceId() : device.getDeviceType())
                .config("pairs_measured", measured)
                .config("pairs_skipped", skipped.isEmpty() ? "none"
                        : skipped.stream().map(k -> k.id() + ": " + k.reason()).collect(Collectors.joining("; ")));
    }

    /** The seeded, subset-stratified sample of the run and its held-out half, by pair id. */
    private record Sample(List<PreferencePair> pairs, Set<String> heldOutIds) {
        static Sample of(Subject subject, Run run) {
            List<PreferencePair> sample = PairSampling.stratified(PairsFile.load(subject.pairs()), run.pairs(), run.seed());
            Set<String> held = new HashSet<>();
            PairSampling.split(sample, run.heldOutFraction(), run.seed()).heldOut().forEach(p -> held.add(p.id()));
            return new Sample(sample, held);
        }

        boolean[] heldOut(List<Prompted> encoded) {
            boolean[] out = new boolean[encoded.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = heldOutIds.contains(encoded.get(i).id());
            }
            return out;
        }
    }
}
