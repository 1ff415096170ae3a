package dev.locus.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.locus.LocusException;
import dev.locus.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint's tokenizer.json through DJL's Hugging Face tokenizer, built with truncation and
 * padding off: DJL otherwise cuts every input to 512 tokens without a word.
 */
public final class Tokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private Tokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Loads {@code dir/tokenizer.json}. */
    public static Tokenizer load(Path dir) {
        Path file = dir.resolve(Checkpoint.TOKENIZER_FILE);
        if (!Files.isRegularFile(file)) {
            throw new LocusException(file, "(file)", "not found: the checkpoint has no tokenizer.json");
        }
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optTruncation(false)
                    .optPadding(false)
                    .optAddSpecialTokens(false)
                    .build();
            return new Tokenizer(tokenizer);
        } catch (IOException | RuntimeException e) {
            throw new LocusException(file.toString(), "(tokenizer)", "DJL cannot load it: " + e.getMessage(), e);
        }
    }

    /**
     * Patching runs one model on the other's token ids, so two checkpoints must carry the same
     * {@code tokenizer.json}: both present and byte for byte equal. {@code firstRole} names the first
     * in the message (base, recipient).
     */
    public static void requireSame(Path firstDir, String firstRole, Path secondDir) {
        Path first = firstDir.resolve(Checkpoint.TOKENIZER_FILE);
        Path second = secondDir.resolve(Checkpoint.TOKENIZER_FILE);
        for (Path p : List.of(first, second)) {
            if (!Files.isRegularFile(p)) {
                throw new LocusException(p, "(file)", "missing: both models read the pairs' tokens, so each checkpoint needs its tokenizer.json");
            }
        }
        if (!Sha256.of(first).equals(Sha256.of(second))) {
            throw new LocusException(second, "(tokenizer)", "differs from the " + firstRole + "'s " + first
                    + ": the two models would read different tokens");
        }
    }

    /** Token ids of {@code text} with no special tokens added. */
    public int[] encode(String text) {
        Encoding encoding = tokenizer.encode(text, false, false);
        long[] ids = encoding.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, false);
    }

    /** The truncation DJL applies; locus requires none. */
    public String truncation() {
        return tokenizer.getTruncation();
    }


    @Override
    public void close() {
        tokenizer.close();
    }

}
