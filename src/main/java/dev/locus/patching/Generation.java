package dev.locus.patching;

import ai.djl.ndarray.NDManager;
import dev.locus.LocusException;
import dev.locus.data.PreferencePair;
import dev.locus.model.Decoder;
import dev.locus.model.GreedyDecoding;
import dev.locus.model.Hook;
import dev.locus.model.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A model's greedy continuations of prompts, and with a steering vector the same model's
 * continuations steered by it: what {@code bin/locus generate} shows side by side.
 *
 * @param steer the steering vector, or null for the model alone
 * @param steerFile where it was read from, to name in refusals
 * @param scale its weight c
 */
public record Generation(Path model, SteeringFile steer, Path steerFile, double scale, PairEncoder.Format format, int maxNewTokens) {

    /** One prompt's continuations; {@code steered} is null without a vector. */
    public record Continuation(String id, int promptTokens, String prompt, String plain, String steered) {}

    /** A prompt by its id. */
    public record Prompt(String id, String text) {
        /** A pair's prompt: the HH transcript up to the assistant's turn. */
        public static Prompt of(PreferencePair pair) {
            return new Prompt(pair.id(), pair.prompt());
        }
    }

    /**
     * Continues each prompt, handing each continuation on as it is done. A steering vector of
     * another family, hidden size or depth than the model's is refused before anything runs.
     */
    public void run(List<Prompt> prompts, Consumer<Continuation> each) {
        try (NDManager root = NDManager.newBaseManager(); Decoder decoder = Decoder.load(model, root);
                Tokenizer tokenizer = Tokenizer.load(model)) {
            if (steer != null) {
                steer.requireFits(steerFile, decoder.config(), model);
            }
            PairEncoder encoder = new PairEncoder(tokenizer, PairEncoder.bos(model, decoder.config()), format,
                    decoder.config().maxPositionEmbeddings(), model);
            Hook steering = steer == null ? null : new SteeringHook(steer.point().layer(), steer.meanDifference(), scale);
            for (Prompt p : prompts) {
                int[] ids = encode(encoder, p);
                if (ids.length + maxNewTokens > decoder.config().maxPositionEmbeddings()) {
                    throw new LocusException(p.id(), "prompt", ids.length + " tokens + " + maxNewTokens + " new ones exceed max_position_embeddings "
                            + decoder.config().maxPositionEmbeddings() + " of " + model, null);
                }
                String plain = encoder.decode(GreedyDecoding.continuation(decoder, root, ids, maxNewTokens, Hook.NONE));
                String steered = steering == null ? null
                        : encoder.decode(GreedyDecoding.continuation(decoder, root, ids, maxNewTokens, steering));
                each.accept(new Continuation(p.id(), ids.length, p.text(), plain, steered));
            }
        }
    }

    private int[] encode(PairEncoder encoder, Prompt p) {
        String text = format == PairEncoder.Format.CHAT && !p.text().contains("\n\nHuman:") ? "\n\nHuman: " + p.text() + "\n\nAssistant:"
                : p.text();
        try {
            int[] ids = encoder.promptIds(text);
            if (ids.length == 0) {
                throw new LocusException(p.id(), "prompt", "encodes to no tokens and the tokenizer adds no BOS to start from", null);
            }
            return ids;
        } catch (IllegalArgumentException e) {
            throw new LocusException(p.id(), "prompt", e.getMessage(), e);
        }
    }

    /** Prompts given on the command line, numbered. */
    public static List<Prompt> given(List<String> texts) {
        List<Prompt> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            out.add(new Prompt("prompt-" + (i + 1), texts.get(i)));
        }
        return out;
    }
}
