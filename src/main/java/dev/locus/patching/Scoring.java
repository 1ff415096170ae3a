package dev.locus.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import dev.locus.model.Decoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Completion log-probs read off final residual rows. A run keeps only the rows it must score and
 * the tokens to score there; the head then runs once over the rows of many runs, because each
 * pass through a 128k-wide head streams the whole unembedding matrix.
 */
final class Scoring {
    private Scoring() {}

    /**
     * What one run still has to score: {@code rows} (final residual rows, one per scored token, in
     * completion order) and their {@code targets}; the first tokens' log-probs are {@code first}
     * when they are known already (an untouched prompt), else rows hold them too.
     */
    record Request(Prompted tokens, NDArray rows, int[] targets, float[] first, List<float[]> resolved) {
        static Request resolved(Prompted tokens, List<float[]> logprobs) {
            return new Request(tokens, null, null, null, logprobs);
        }
    }

    /**
     * The rows of {@code source} that score every completion token: row {@code promptRow} for the
     * first tokens (or none, when {@code first} is given), rows {@code completionRows[i]..} for the rest.
     */
    static Request request(Prompted tokens, NDArray source, int promptRow, int[] completionRows, float[] first) {
        List<int[]> completions = tokens.completions();
        int total = 0;
        for (int[] c : completions) {
            total += first == null ? c.length : c.length - 1;
        }
        long[] rows = new long[total];
        int[] targets = new int[total];
        int at = 0;
        for (int i = 0; i < completions.size(); i++) {
            int[] c = completions.get(i);
            for (int j = first == null ? 0 : 1; j < c.length; j++) {
                rows[at] = j == 0 ? promptRow : completionRows[i] + j - 1;
                targets[at++] = c[j];
            }
        }
        NDArray kept = null;
        if (total > 0) {
            try (NDArray index = source.getManager().create(rows)) {
                kept = source.get(new NDIndex("{}", index));
            }
            NDScope.unregister(kept);
        }
        return new Request(tokens, kept, targets, first, null);
    }

    /** Scores every request with one head pass over all their rows (per chunk). */
    static List<List<float[]>> resolve(Decoder model, List<Request> requests) {
        NDList rows = new NDList();
        List<Integer> targets = new ArrayList<>();
        for (Request r : requests) {
            if (r.resolved() == null && r.rows() != null) {
                rows.add(r.rows());
                for (int t : r.targets()) {
                    targets.add(t);
                }
            }
        }
        float[] picked = new float[0];
        if (!rows.isEmpty()) {
            NDArray all = rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);
            int[] index = new int[targets.size()];
            int[] target = new int[targets.size()];
            for (int i = 0; i < index.length; i++) {
                index[i] = i;
                target[i] = targets.get(i);
            }
            picked = model.tokenLogprobs(all, index, target);
            if (all != rows.get(0)) {
                all.close();
            }
        }
        rows.forEach(NDArray::close);
        List<List<float[]>> out = new ArrayList<>();
        int at = 0;
        for (Request r : requests) {
            if (r.resolved() != null) {
                out.add(r.resolved());
                continue;
            }
            List<float[]> scores = new ArrayList<>();
            for (int i = 0; i < r.tokens().completions().size(); i++) {
                float[] lp = new float[r.tokens().completions().get(i).length];
                int from = 0;
                if (r.first() != null) {
                    lp[0] = r.first()[i];
                    from = 1;
                }
                System.arraycopy(picked, at, lp, from, lp.length - from);
                at += lp.length - from;
                scores.add(lp);
            }
            out.add(scores);
        }
        return out;
    }
}
