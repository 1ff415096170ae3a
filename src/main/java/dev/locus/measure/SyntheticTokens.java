package dev.locus.measure;

import dev.locus.data.PairSampling;
import dev.locus.data.PairsFile;
import dev.locus.data.PreferencePair;
import dev.locus.model.DecoderConfig;
import dev.locus.patching.Prompted;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Token ids for timing where no tokenizer of the checkpoints' vocabulary is at hand: each text
 * becomes random ids of the length a real tokenizer would give it, estimated as its UTF-8 bytes /
 * {@code bytesPerToken}; the prompt starts with BOS. Compute cost follows token counts, not ids.
 */
public record SyntheticTokens(double bytesPerToken, long seed) {
    public SyntheticTokens {
        if (!(bytesPerToken > 0)) {
            throw new IllegalArgumentException("bytes per token must be positive, found " + bytesPerToken);
        }
    }

    /** A text's estimated length in tokens, at least 1. */
    public int length(String text) {
        return Math.max(1, (int) Math.round(text.getBytes(StandardCharsets.UTF_8).length / bytesPerToken));
    }

    /** A pair's estimated tokens: prompt (with its BOS) and both completions. */
    public long length(PreferencePair p) {
        return length(p.prompt()) + length(p.chosen()) + length(p.rejected());
    }

    /** The mean estimated tokens per pair of the run's seeded sample of {@code pairs} pairs from {@code pairsFile}. */
    public double meanPairLength(Path pairsFile, int pairs, long sampleSeed) {
        List<PreferencePair> sample = PairSampling.stratified(PairsFile.load(pairsFile), pairs, sampleSeed);
        return sample.stream().mapToLong(this::length).average().orElseThrow();
    }

    String describe() {
        return String.format(Locale.ROOT, "synthetic: random ids, UTF-8 bytes / %s per token, seed %d", bytesPerToken, seed);
    }

    Prompted encode(PreferencePair p, Random random, DecoderConfig config) {
        int[] prompt = ids(random, config, length(p.prompt()));
        if (config.bosTokenId() != null) {
            prompt[0] = config.bosTokenId();
        }
        return new Prompted(p.id(), prompt, List.of(ids(random, config, length(p.chosen())), ids(random, config, length(p.rejected()))));
    }

    private static int[] ids(Random random, DecoderConfig config, int length) {
        return random.ints(length, 0, config.vocabSize()).toArray();
    }
}
