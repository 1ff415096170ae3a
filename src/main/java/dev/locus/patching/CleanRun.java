package dev.locus.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.locus.model.KvCache;
import dev.locus.model.LlamaModel;
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
        float[] first = firstTokens(model, tokens, promptLast, tokens.boundary() - 1);
        List<float[]> scores = new ArrayList<>();
        for (int i = 0; i < tokens.completions().size(); i++) {
            Trace trace = new Trace(tokens.boundary(), layers);
            NDArray c = trace.recorder().at(dev.locus.model.Point.EMBED, model.embed(work, tokens.completions().get(i)));
            NDArray last = model.runBlocks(c, 0, trace.recorder(), cache, null);
            completions.add(trace);
            scores.add(rest(model, tokens, first[i], last, new int[] {0}, i).get(0));
        }
        return new CleanRun(schedule, tokens, prompt, cache, completions, scores);
    }

    /**
     * Completion token log-probs from one pass through the head: the first token of every
     * completion is read at row {@code promptRow} of {@code source} (the prompt's last position),
     * the rest of completion i at rows {@code completionRows[i]..}.
     */
    static List<float[]> score(LlamaModel model, Prompted tokens, NDArray source, int promptRow, int[] completionRows) {
        List<int[]> completions = tokens.completions();
        int total = 0;
        for (int[] c : completions) {
            total += c.length;
        }
        int[] rows = new int[total];
        int[] targets = new int[total];
        int at = 0;
        for (int i = 0; i < completions.size(); i++) {
            int[] c = completions.get(i);
            for (int j = 0; j < c.length; j++) {
                rows[at] = j == 0 ? promptRow : completionRows[i] + j - 1;
                targets[at++] = c[j];
            }
        }
        return split(tokens, model.tokenLogprobs(source, rows, targets));
    }

    /**
     * Completion log-probs when the prompt is the clean one: the first tokens' log-probs are
     * {@code first}, the rest of completion i read at rows {@code completionRows[i]..} of {@code source}.
     */
    static List<float[]> rest(LlamaModel model, Prompted tokens, float[] first, NDArray source, int[] completionRows) {
        List<int[]> completions = tokens.completions();
        int total = 0;
        for (int[] c : completions) {
            total += c.length - 1;
        }
        int[] rows = new int[total];
        int[] targets = new int[total];
        int at = 0;
        for (int i = 0; i < completionRows.length; i++) {
            int[] c = completions.get(i);
            for (int j = 1; j < c.length; j++) {
                rows[at] = completionRows[i] + j - 1;
                targets[at++] = c[j];
            }
        }
        float[] picked = total == 0 ? new float[0] : model.tokenLogprobs(source, rows, targets);
        List<float[]> scores = new ArrayList<>();
        at = 0;
        for (int i = 0; i < completionRows.length; i++) {
            float[] lp = new float[completions.get(i).length];
            lp[0] = first[i];
            System.arraycopy(picked, at, lp, 1, lp.length - 1);
            at += lp.length - 1;
            scores.add(lp);
        }
        return scores;
    }

    private static List<float[]> rest(LlamaModel model, Prompted tokens, float first, NDArray source, int[] rows, int i) {
        Prompted one = new Prompted(tokens.id(), tokens.prompt(), List.of(tokens.completions().get(i)));
        return rest(model, one, new float[] {first}, source, rows);
    }

    /** Log-probs of every completion's first token, read at one row. */
    private static float[] firstTokens(LlamaModel model, Prompted tokens, NDArray source, int row) {
        int n = tokens.completions().size();
        int[] rows = new int[n];
        int[] targets = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = row;
            targets[i] = tokens.completions().get(i)[0];
        }
        return model.tokenLogprobs(source, rows, targets);
    }

    private static List<float[]> split(Prompted tokens, float[] picked) {
        List<float[]> scores = new ArrayList<>();
        int at = 0;
        for (int[] c : tokens.completions()) {
            scores.add(java.util.Arrays.copyOfRange(picked, at, at + c.length));
            at += c.length;
        }
        return scores;
    }

    /** Log-probs of each completion's first token in this clean run. */
    float[] firstTokenLogprobs() {
        float[] first = new float[tokenLogprobs.size()];
        for (int i = 0; i < first.length; i++) {
            first[i] = tokenLogprobs.get(i)[0];
        }
        return first;
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
