package dev.locus.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.locus.model.BlockRun;
import dev.locus.model.Hook;
import dev.locus.model.Decoder;
import dev.locus.model.Point;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the recipient model with one intervention at one point, taking targets from clean runs.
 * Recipient and donor are roles, not models: base-to-tuned and tuned-to-base are the same code with
 * the runs swapped. Every array a patched run creates is freed when it returns.
 */
public final class Patcher {
    /** Where an intervention's target values come from, besides the donor's run on the same tokens. */
    public record Targets(CleanRun donor, CleanRun shuffledDonor, float[] mean) {
        public static Targets donor(CleanRun donor) {
            return new Targets(donor, null, null);
        }
    }

    private final Decoder recipient;

    public Patcher(Decoder recipient) {
        this.recipient = recipient;
    }

    /** Per-token log-probs of each completion under the intervention. */
    public List<float[]> patched(CleanRun run, Point point, Intervention intervention, Targets targets) {
        return Scoring.resolve(recipient, List.of(pending(run, point, intervention, targets))).get(0);
    }

    /** One patched run: the clean run it patches, where, how, and where its targets come from. */
    public record Job(CleanRun run, Point point, Intervention intervention, Targets targets) {}

    /**
     * Rows stacked into one batch at most: bounds a batch's activations (the widest, the MLP's
     * [rows][8192] at 1B shape, is 134 MB at 4096 rows). {@code -Dlocus.batch_rows=0} runs every
     * pass alone, for comparison.
     */
    static final int BATCH_ROWS = Integer.getInteger("locus.batch_rows", 4096);

    /**
     * Runs the patched pass and keeps what remains to be scored; {@link Scoring#resolve} scores
     * the requests of many passes at once. The naive schedule scores at once.
     */
    Scoring.Request pending(CleanRun run, Point point, Intervention intervention, Targets targets) {
        return pending(List.of(new Job(run, point, intervention, targets))).get(0);
    }

    /**
     * Runs many patched passes, in order. Cached passes patched at a block's input (embeddings,
     * {@code resid_post}, {@code block_out}) run stacked through {@link Decoder#runBlocksTogether},
     * up to {@link #BATCH_ROWS} rows at a time; the others run one by one.
     */
    List<Scoring.Request> pending(List<Job> jobs) {
        Scoring.Request[] requests = new Scoring.Request[jobs.size()];
        List<Integer> batch = new ArrayList<>();
        int batchRows = 0;
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            job.point().checkedFor(recipient.config().numLayers());
            requireTargets(job.intervention(), job.targets(), job.run());
            if (job.run().schedule == Schedule.NAIVE || !atInput(job.point())) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    requests[i] = job.run().schedule == Schedule.NAIVE
                            ? Scoring.Request.resolved(job.run().tokens, naive(job.run(), job.point(), job.intervention(), job.targets()))
                            : hooked(job.run(), job.point(), job.intervention(), job.targets());
                }
                continue;
            }
            int rows = CleanRun.Layout.of(job.run().tokens, job.intervention().positions().touchesPrompt()).ids().length;
            if (!batch.isEmpty() && batchRows + rows > BATCH_ROWS) {
                runBatch(jobs, batch, requests);
                batch.clear();
                batchRows = 0;
            }
            batch.add(i);
            batchRows += rows;
        }
        if (!batch.isEmpty()) {
            runBatch(jobs, batch, requests);
        }
        return List.of(requests);
    }

    private void runBatch(List<Job> jobs, List<Integer> batch, Scoring.Request[] requests) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<Prepared> prepared = new ArrayList<>();
            List<BlockRun> runs = new ArrayList<>();
            for (int i : batch) {
                Job job = jobs.get(i);
                Prepared p = prepare(job.run(), job.point(), job.intervention(), job.targets());
                prepared.add(p);
                runs.add(p.blockRun());
            }
            List<NDArray> outputs = recipient.runBlocksTogether(runs);
            for (int j = 0; j < batch.size(); j++) {
                requests[batch.get(j)] = prepared.get(j).score(outputs.get(j));
            }
        }
    }

    private static boolean atInput(Point point) {
        return point.site() != Point.Site.ATTN_OUT && point.site() != Point.Site.MLP_OUT;
    }

    private static void requireTargets(Intervention iv, Targets targets, CleanRun run) {
        for (Intervention.Target needed : iv.needs()) {
            String missing = switch (needed) {
                case DONOR -> targets.donor() == null ? "a donor run" : null;
                case OTHER_PAIR -> targets.shuffledDonor() == null ? "another pair's donor run" : null;
                case DATASET_MEAN -> targets.mean() == null ? "the dataset mean at the point" : null;
            };
            if (missing != null) {
                throw new IllegalArgumentException(iv.describe() + " needs " + missing);
            }
        }
        for (CleanRun other : new CleanRun[] {targets.donor(), targets.shuffledDonor()}) {
            if (other != null && other.schedule != run.schedule) {
                throw new IllegalArgumentException("recipient and donor runs use different schedules");
            }
        }
        if (targets.donor() != null && !sameTokens(run.tokens, targets.donor().tokens)) {
            throw new IllegalArgumentException(run.tokens.id() + ": the donor run is on other tokens");
        }
    }

    private static boolean sameTokens(Prompted a, Prompted b) {
        if (!java.util.Arrays.equals(a.prompt(), b.prompt()) || a.completions().size() != b.completions().size()) {
            return false;
        }
        for (int i = 0; i < a.completions().size(); i++) {
            if (!java.util.Arrays.equals(a.completions().get(i), b.completions().get(i))) {
                return false;
            }
        }
        return true;
    }

    // ---- the cached schedule: start at the patched layer, share the prompt -----------------------

    /**
     * One cached pass, ready to run: from the patched layer over the rows that change, the prompt
     * (when the patch touches it) and every completion, packed into one matrix in which each
     * completion sees the prompt and itself. An untouched prompt is not rerun: its cached keys and
     * values serve.
     */
    private record Prepared(BlockRun blockRun, CleanRun run, CleanRun.Layout layout, boolean promptPatched) {
        Scoring.Request score(NDArray out) {
            Prompted tokens = run.tokens;
            return Scoring.request(tokens, out, tokens.boundary() - 1, layout.completionRows(),
                    promptPatched ? null : run.firstTokenLogprobs());
        }
    }

    /** The cached pass of a patch at a block's input: the patch is added to the rows before the first block runs. */
    private Prepared prepare(CleanRun run, Point point, Intervention iv, Targets targets) {
        int from = point.resumeLayer();
        boolean promptPatched = iv.positions().touchesPrompt();
        CleanRun.Layout layout = CleanRun.Layout.of(run.tokens, promptPatched);
        NDList parts = new NDList();
        for (Role role : roles(run, promptPatched)) {
            Trace trace = run.trace(role);
            parts.add(patches(iv, role) ? trace.stream[from].add(delta(trace.at(point), run, role, point, iv, targets)) : trace.stream[from]);
        }
        NDArray packed = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
        return new Prepared(new BlockRun(packed, from, promptPatched ? null : run.promptCache, layout.packing()),
                run, layout, promptPatched);
    }

    /** The cached pass of a patch inside a block (attention or MLP output), applied by a hook as the block runs. */
    private Scoring.Request hooked(CleanRun run, Point point, Intervention iv, Targets targets) {
        int from = point.resumeLayer();
        boolean promptPatched = iv.positions().touchesPrompt();
        CleanRun.Layout layout = CleanRun.Layout.of(run.tokens, promptPatched);
        List<Role> roles = roles(run, promptPatched);
        NDList parts = new NDList();
        List<Integer> firstRows = new ArrayList<>();
        for (Role role : roles) {
            parts.add(run.trace(role).stream[from]);
            firstRows.add(role.isPrompt() ? 0 : layout.firstRow(role.completion()));
        }
        NDArray packed = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
        Point target = Trace.modelPoint(point);
        Hook hook = (p, v) -> {
            if (!p.equals(target)) {
                return v;
            }
            NDList deltas = new NDList();
            for (int k = 0; k < roles.size(); k++) {
                Role role = roles.get(k);
                NDArray part = v.get(firstRows.get(k) + ":" + (firstRows.get(k) + run.trace(role).rows()));
                deltas.add(patches(iv, role) ? delta(part, run, role, point, iv, targets) : part.zerosLike());
            }
            return v.add(deltas.size() == 1 ? deltas.get(0) : NDArrays.concat(deltas, 0));
        };
        NDArray out = recipient.runBlocks(packed, from, hook, promptPatched ? null : run.promptCache, null, layout.packing());
        return new Prepared(null, run, layout, promptPatched).score(out);
    }

    /** The segments a cached pass reruns: the prompt when patched, then every completion. */
    private static List<Role> roles(CleanRun run, boolean promptPatched) {
        List<Role> roles = new ArrayList<>();
        if (promptPatched) {
            roles.add(Role.PROMPT);
        }
        for (int i = 0; i < run.tokens.completions().size(); i++) {
            roles.add(Role.completion(i));
        }
        return roles;
    }

    /** Whether the intervention changes any row of a role's segment. */
    private static boolean patches(Intervention iv, Role role) {
        return role.isPrompt() ? iv.positions().touchesPrompt() : iv.positions().touchesCompletion();
    }

    // ---- the naive schedule: every sequence whole, patched by a hook ------------------------------

    private List<float[]> naive(CleanRun run, Point point, Intervention iv, Targets targets) {
        Prompted tokens = run.tokens;
        Point at = Trace.modelPoint(point);
        Point input = point.layer() == 0 ? Point.EMBED : Point.residPost(point.layer() - 1);
        List<float[]> scores = new ArrayList<>();
        NDManager work = run.trace(Role.completion(0)).stream[0].getManager();
        for (int i = 0; i < tokens.completions().size(); i++) {
            Role role = Role.completion(i);
            NDArray[] blockInput = new NDArray[1];
            Hook hook = (p, v) -> {
                if (p.equals(input)) {
                    blockInput[0] = v;
                }
                if (!p.equals(at)) {
                    return v;
                }
                NDArray value = point.site() == Point.Site.BLOCK_OUT ? v.sub(blockInput[0]) : v;
                return v.add(delta(value, run, role, point, iv, targets));
            };
            int[] sequence = tokens.sequence(i);
            NDArray last = recipient.forward(work, sequence, hook);
            scores.add(recipient.completionLogprobs(last, sequence, tokens.boundary()));
        }
        return scores;
    }

    // ---- the intervention itself ------------------------------------------------------------------

    /** The change an intervention makes to the recipient value {@code r} of one segment, zero on rows outside its positions. */
    private static NDArray delta(NDArray r, CleanRun run, Role role, Point point, Intervention iv, Targets targets) {
        Trace trace = run.trace(role);
        int rows = trace.rows();
        int boundary = run.tokens.boundary();
        float[] mask = new float[rows];
        boolean everyRow = true;
        for (int i = 0; i < rows; i++) {
            boolean in = iv.positions().includes(trace.offset + i, boundary);
            mask[i] = in ? 1f : 0f;
            everyRow &= in;
        }
        NDArray change = iv.change(new Segment(r, run, role, point, targets));
        return everyRow ? change : change.mul(r.getManager().create(mask, new Shape(rows, 1)));
    }
}
