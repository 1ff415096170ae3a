package dev.locus.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.locus.model.KvCache;
import dev.locus.model.Decoder;
import dev.locus.model.Packing;
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

    public static CleanRun of(Decoder model, NDManager work, Prompted tokens, Schedule schedule) {
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
        Layout layout = Layout.of(tokens, true);
        Trace packed = new Trace(0, layers);
        KvCache cache = new KvCache(layers, layout.packing().rows());
        NDArray x = packed.recorder().at(dev.locus.model.Point.EMBED, model.embed(work, layout.ids()));
        NDArray last = model.runBlocks(x, 0, packed.recorder(), null, cache, layout.packing());
        Trace prompt = packed.rows(0, tokens.boundary(), 0);
        for (int i = 0; i < tokens.completions().size(); i++) {
            completions.add(packed.rows(layout.firstRow(i), tokens.completions().get(i).length, tokens.boundary()));
        }
        List<float[]> scores = Scoring.resolve(model,
                List.of(Scoring.request(tokens, last, tokens.boundary() - 1, layout.completionRows(), null))).get(0);
        return new CleanRun(schedule, tokens, prompt, cache.prefix(tokens.boundary()), completions, scores);
    }

    /**
     * Where each sequence's rows sit in a packed pass: the prompt first (when included, group 0),
     * then each completion (group i+1) at positions K onwards.
     */
    record Layout(Packing packing, int[] ids, int promptRows, int[] completionRows) {
        static Layout of(Prompted tokens, boolean withPrompt) {
            int k = tokens.boundary();
            int rows = (withPrompt ? k : 0) + tokens.completions().stream().mapToInt(c -> c.length).sum();
            int[] positions = new int[rows];
            int[] groups = new int[rows];
            int[] ids = new int[rows];
            int at = 0;
            if (withPrompt) {
                for (int i = 0; i < k; i++) {
                    positions[i] = i;
                    ids[i] = tokens.prompt()[i];
                }
                at = k;
            }
            int[] firstRows = new int[tokens.completions().size()];
            for (int c = 0; c < firstRows.length; c++) {
                int[] completion = tokens.completions().get(c);
                firstRows[c] = at;
                for (int i = 0; i < completion.length; i++) {
                    positions[at] = k + i;
                    groups[at] = c + 1;
                    ids[at++] = completion[i];
                }
            }
            return new Layout(new Packing(positions, groups), ids, withPrompt ? k : 0, firstRows);
        }

        int firstRow(int completion) {
            return completionRows[completion];
        }
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

    /** The trace of a role's rows: the prompt's (CACHED only) or a completion's. */
    Trace trace(Role role) {
        return role.isPrompt() ? prompt : completions.get(role.completion());
    }
}
