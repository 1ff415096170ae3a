package dev.locus.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.locus.LocusException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
