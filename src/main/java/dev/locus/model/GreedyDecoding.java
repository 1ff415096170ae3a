package dev.locus.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy decoding with the KV cache, as Hugging Face's {@code generate(do_sample=False)}: the prompt
 * runs once, keeping every layer's keys and values; each next token is the argmax of the last
 * position's log-probs (the first of equal ones), run alone against the cache, until
 * {@code maxNewTokens} or an end-of-sequence id of the config. A hook sees every point of every
 * step, prompt and new tokens alike.
 */
public final class GreedyDecoding {
    private GreedyDecoding() {}

    /** The new tokens after {@code prompt}, the end-of-sequence id included when it ends them. */
    public static int[] continuation(Decoder model, NDManager parent, int[] prompt, int maxNewTokens, Hook hook) {
        int layers = model.config().numLayers();
        List<Integer> eos = model.config().eosTokenIds();
        int[] out = new int[maxNewTokens];
        int produced = 0;
        try (NDManager work = parent.newSubManager()) {
            KvCache cache = new KvCache(layers, prompt.length);
            NDArray last = model.runBlocks(hook.at(Point.EMBED, model.embed(work, prompt)), 0, hook, null, cache);
            int position = prompt.length - 1;
            while (produced < maxNewTokens) {
                int next = argmax(model.logprobs(last, new int[] {position}).toFloatArray());
                out[produced++] = next;
                if (eos.contains(next) || produced == maxNewTokens) {
                    break;
                }
                KvCache step = new KvCache(layers, 1);
                last = model.runBlocks(hook.at(Point.EMBED, model.embed(work, new int[] {next})), 0, hook, cache, step);
                cache = cache.followedBy(step);
                position = 0;
            }
        }
        return Arrays.copyOf(out, produced);
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
