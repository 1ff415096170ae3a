package dev.locus.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.locus.model.KvCache;
import dev.locus.model.LlamaModel;
import dev.locus.model.Numerics;
import java.util.ArrayList;
import java.util.List;

/**
 * One model's unpatched run over a prompt and its completions, with every activation kept (in the
 * NDManager of the unit of work) for the patched runs that follow and for the donor side of a patch.
 */
public final class CleanRun {
    final Schedule schedule;
    final Prompted tokens;
    /** CACHED: the prompt's rows; NAIVE: null. */
    final Trace prompt;
    final KvCache promptCache;
    /** CACHED: each completion's rows, continuing the prompt; NAIVE: each whole sequence. */
    final List<Trace> completions;
    final List<float[]> tokenLogprobs;

    private CleanRun(Schedule schedule, Prompted tokens, Trace prompt, KvCache promptCache, List<Trace> completions,
            List<float[]> tokenLogprobs) {
        this.schedule = schedule;
        this.tokens = tokens;
        this.prompt = prompt;
        this.promptCache = promptCache;
        this.completions = completions;
        this.tokenLogprobs = tokenLogprobs;
    }

    public static CleanRun of(LlamaModel model, NDManager work, Prompted tokens, Schedule schedule) {
        int layers = model.config().numLayers();
        List<Trace> completions = new ArrayList<>();
        if (schedule == Schedule.NAIVE) {
            List<float[]> scores = new ArrayList<>();
            for (int i = 0; i < tokens.completions().size(); i++) {
                Trace trace = new Trace(0, layers);
                int[] sequence = tokens.sequence(i);
                NDArray last = model.forward(work, sequence, trace.recorder());
                completions.add(trace);
                scores.add(model.completionLogprobs(last, sequence, tokens.boundary()));
            }
            return new CleanRun(schedule, tokens, null, null, completions, scores);
        }
        Trace prompt = new Trace(0, layers);
        KvCache cache = new KvCache(layers, tokens.boundary());
        NDArray x = prompt.recorder().at(dev.locus.model.Point.EMBED, model.embed(work, tokens.prompt()));
        NDArray promptLast = model.runBlocks(x, 0, prompt.recorder(), null, cache);
        float[] first = firstTokenRow(model, promptLast, tokens.boundary() - 1);
        List<float[]> scores = new ArrayList<>();
        for (int i = 0; i < tokens.completions().size(); i++) {
            Trace trace = new Trace(tokens.boundary(), layers);
            NDArray c = trace.recorder().at(dev.locus.model.Point.EMBED, model.embed(work, tokens.completions().get(i)));
            NDArray last = model.runBlocks(c, 0, trace.recorder(), cache, null);
            completions.add(trace);
            scores.add(completion(model, tokens, first, last, 0, i));
        }
        return new CleanRun(schedule, tokens, prompt, cache, completions, scores);
    }

    /**
     * Completion token log-probs. The first token of every completion is read at row
     * {@code promptRow} of {@code promptSource} (the prompt's last position, shared); the rest of
     * completion i at rows {@code completionRows[i]..} of {@code completionSource}.
     */
    static List<float[]> score(LlamaModel model, Prompted tokens, NDArray promptSource, int promptRow,
            NDArray completionSource, int[] completionRows) {
        float[] first = firstTokenRow(model, promptSource, promptRow);
        List<float[]> scores = new ArrayList<>();
        for (int i = 0; i < completionRows.length; i++) {
            scores.add(completion(model, tokens, first, completionSource, completionRows[i], i));
        }
        return scores;
    }

    private static float[] firstTokenRow(LlamaModel model, NDArray source, int row) {
        try (NDArray logprobs = model.logprobs(source, new int[] {row})) {
            return logprobs.toFloatArray();
        }
    }

    private static float[] completion(LlamaModel model, Prompted tokens, float[] first, NDArray source, int firstRow, int i) {
        int vocab = model.config().vocabSize();
        int[] c = tokens.completions().get(i);
        float[] lp = new float[c.length];
        lp[0] = first[c[0]];
        if (c.length > 1) {
            int[] rows = new int[c.length - 1];
            for (int j = 0; j < rows.length; j++) {
                rows[j] = firstRow + j;
            }
            try (NDArray rest = model.logprobs(source, rows)) {
                float[] flat = rest.toFloatArray();
                for (int j = 0; j < rows.length; j++) {
                    lp[j + 1] = flat[j * vocab + c[j + 1]];
                }
            }
        }
        Numerics.requireFinite(lp, tokens.id(), "completion " + i + " log-probs");
        return lp;
    }

    public Prompted tokens() {
        return tokens;
    }

    /** Per-token log-probs of completion i. */
    public float[] tokenLogprobs(int i) {
        return tokenLogprobs.get(i).clone();
    }

    /** Recipient-side trace for a role: -1 the prompt rows (CACHED only), i completion i. */
    Trace trace(int role) {
        return role < 0 ? prompt : completions.get(role);
    }
}
