package dev.locus.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;

/**
 * A decoder of any {@link Family} on DJL NDArrays, written like the architecture: embeddings, N
 * blocks of (RMSNorm, grouped-query causal attention with RoPE, RMSNorm, gated MLP), final norm,
 * head. A family's differences are options of these steps (biases, windows, sandwich norms,
 * soft-caps), not other steps.
 *
 * <p>Every named {@link Point} passes through a {@link Hook}. A pass can start at any layer from a
 * given residual state ({@link #runBlocks}); several runs can share each block's weights
 * ({@link #runBlocksTogether}, scheduled by {@link StackedRuns}); log-probs are computed only at the
 * positions asked for ({@link Head}).
 *
 * <p>Activations live in the NDManager of the array passed in (the caller's unit of work);
 * temporaries inside a block are freed when the block returns.
 */
public final class Decoder implements AutoCloseable {
    private final DecoderConfig config;
    private final DecoderWeights weights;
    private final float[] invFreq;
    private final String source;
    private final Meter meter = new Meter();
    private final Head head;

    public Decoder(DecoderConfig config, DecoderWeights weights, String source) {
        this.config = config;
        this.weights = weights;
        this.invFreq = Rope.inverseFrequencies(config);
        this.source = source;
        this.head = new Head(config, weights, meter, source);
    }

    /** Opens, validates and loads a checkpoint directory, its weights held as {@code -Dlocus.weights} says. */
    public static Decoder load(Path dir, NDManager parent) {
        return load(dir, parent, DecoderWeights.Holding.fromProperty());
    }

    public static Decoder load(Path dir, NDManager parent, DecoderWeights.Holding holding) {
        return load(dir, parent, holding, new WideningBuffers(parent));
    }

    /**
     * Opens a pair that runs one pass at a time (a base and a tuned model, a recipient and a donor):
     * they share one set of widening buffers, so a pair of stored models holds one block and one
     * head in float32, not two. Closing both frees them.
     */
    public static Pair loadPair(Path first, Path second, NDManager parent) {
        WideningBuffers shared = new WideningBuffers(parent);
        DecoderWeights.Holding holding = DecoderWeights.Holding.fromProperty();
        Decoder a = load(first, parent, holding, shared);
        try {
            return new Pair(a, load(second, parent, holding, shared));
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    /** Two models sharing widening buffers, closed together. */
    public record Pair(Decoder first, Decoder second) implements AutoCloseable {
        @Override
        public void close() {
            try (first) {
                second.close();
            }
        }
    }

    private static Decoder load(Path dir, NDManager parent, DecoderWeights.Holding holding, WideningBuffers buffers) {
        DecoderWeights weights = DecoderWeights.load(Checkpoint.open(dir), parent, holding, buffers);
        return new Decoder(weights.config(), weights, dir.toString());
    }

    /** How this model holds its weights (whether F16/BF16 matrices are widened per block). */
    public DecoderWeights weights() {
        return weights;
    }

    public DecoderConfig config() {
        return config;
    }

    /** The checkpoint directory (or other origin) errors name. */
    public String source() {
        return source;
    }

    /** What this model has computed since it was loaded. */
    public Meter.Reading metered() {
        return meter.reading();
    }

    // ---- the whole pass ------------------------------------------------------------------

    /** Embeds {@code ids} (used exactly as given) and runs every block; returns {@code resid_post.(N-1)}. */
    public NDArray forward(NDManager work, int[] ids, Hook hook) {
        NDArray x = hook.at(Point.EMBED, embed(work, ids));
        return runBlocks(x, 0, hook);
    }

    /** {@code resid_pre.0}: rows of the embedding matrix, created in {@code work}. */
    public NDArray embed(NDManager work, int[] ids) {
        checkIds(ids);
        long[] index = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            index[i] = ids[i];
        }
        NDArray rows = weights.embedRows(work, index);
        // Gemma scales by sqrt(hidden) as a float32 scalar, before block 0 (the golden "embeddings").
        return config.family().scaledEmbeddings() ? rows.muli((float) Math.sqrt(config.hiddenSize())) : rows;
    }

    /**
     * Runs blocks {@code fromLayer..N-1} on {@code residPre} (the input of block {@code fromLayer}),
     * without touching the layers below; returns the output of the last block.
     */
    public NDArray runBlocks(NDArray residPre, int fromLayer, Hook hook) {
        return runBlocks(residPre, fromLayer, hook, null, null);
    }

    /**
     * Runs blocks {@code fromLayer..N-1} on the rows of a segment that continues {@code prefix}
     * (null: the segment starts at position 0): its rows take positions {@code prefix.length()}
     * onwards and attend to the prefix's cached keys and values. When {@code capture} is given,
     * it receives this segment's keys and values at every layer run.
     */
    public NDArray runBlocks(NDArray residPre, int fromLayer, Hook hook, KvCache prefix, KvCache capture) {
        int offset = prefix == null ? 0 : prefix.length();
        return runBlocks(residPre, fromLayer, hook, prefix, capture,
                Packing.contiguous(offset, Math.toIntExact(residPre.getShape().get(0))));
    }

    /**
     * Runs blocks {@code fromLayer..N-1} on packed rows: each row at its own position, attending
     * to the prefix (if any) and to the rows of {@code packing} it may see.
     */
    public NDArray runBlocks(NDArray residPre, int fromLayer, Hook hook, KvCache prefix, KvCache capture, Packing packing) {
        if (fromLayer < 0 || fromLayer > config.numLayers()) {
            throw new IllegalArgumentException("fromLayer " + fromLayer + " outside 0.." + config.numLayers());
        }
        try (RunRows rows = runRows(residPre, prefix, capture, packing)) {
            NDArray x = residPre;
            for (int l = fromLayer; l < config.numLayers(); l++) {
                x = block(l, x, List.of(rows), hook);
            }
            rows.captured.forEach(NDScope::register);
            return x;
        }
    }

    /**
     * Runs several runs with their rows stacked: each projection and MLP product of a block is one
     * product over the rows of every run that has reached that block, so the block's weights are
     * read once, not once per run; attention stays within each run (its own positions, prefix and
     * mask). No hooks: a batched run's patch is in its input. Returns each run's last-block output,
     * in the order given, in the enclosing scope.
     */
    public List<NDArray> runBlocksTogether(List<BlockRun> runs) {
        return StackedRuns.run(runs, config.numLayers(), r -> runRows(r.residPre(), r.prefix(), null, r.packing()),
                (layer, stacked, rows) -> block(layer, stacked, rows, Hook.NONE));
    }

    // ---- one decoder block ---------------------------------------------------------------

    /**
     * Block {@code layer} over the stacked rows of {@code runs}. Its output outlives its own scope;
     * an enclosing NDScope (a patched run) frees it with everything else it created. A hook may
     * keep what it saw, so with one the branch outputs are handed on too.
     */
    private NDArray block(int layer, NDArray x, List<RunRows> runs, Hook hook) {
        DecoderWeights.Layer w = weights.layer(layer);
        meter.block(runs.size(), x.getShape().get(0));
        NDArray[] outlive;
        NDArray out;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray attnOut = hook.at(Point.attnOut(layer), attentionBranch(layer, x, w, runs));
            NDArray h = x.add(attnOut);
            NDArray mlpOut = hook.at(Point.mlpOut(layer), mlpBranch(h, w));
            out = hook.at(Point.residPost(layer), h.add(mlpOut));
            outlive = hook == Hook.NONE ? new NDArray[] {out} : new NDArray[] {attnOut, mlpOut, out};
            NDScope.unregister(outlive);
        }
        for (NDArray a : outlive) {
            NDScope.register(a);
        }
        return out;
    }

    /**
     * What attention adds to the residual stream ({@code attn_out.L}): attention on the normed
     * stream, normed again where the family has sandwich norms.
     */
    private NDArray attentionBranch(int layer, NDArray x, DecoderWeights.Layer w, List<RunRows> runs) {
        NDArray branch = attention(layer, rmsNorm(x, w.inputNorm()), w, runs);
        return w.attentionOutNorm() == null ? branch : rmsNorm(branch, w.attentionOutNorm());
    }

    /** What the MLP adds to the residual stream ({@code mlp_out.L}), likewise. */
    private NDArray mlpBranch(NDArray h, DecoderWeights.Layer w) {
        NDArray branch = mlp(rmsNorm(h, w.mlpNorm()), w);
        return w.mlpOutNorm() == null ? branch : rmsNorm(branch, w.mlpOutNorm());
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        return Primitives.rmsNorm(x, weight, config.rmsNormEps());
    }

    /**
     * Grouped-query causal attention of stacked runs: the q/k/v and output projections over every
     * row at once, scores and mixing within each run's rows.
     */
    private NDArray attention(int layer, NDArray x, DecoderWeights.Layer w, List<RunRows> runs) {
        NDArray q = Primitives.projection(x, w.q(), w.qBias());
        NDArray k = Primitives.projection(x, w.k(), w.kBias());
        NDArray v = Primitives.projection(x, w.v(), w.vBias());
        if (runs.size() == 1) {
            return Primitives.linear(attend(layer, q, k, v, runs.get(0)), w.o());
        }
        NDList mixed = new NDList();
        long row = 0;
        for (RunRows run : runs) {
            String slice = row + ":" + (row + run.rows);
            mixed.add(attend(layer, q.get(slice), k.get(slice), v.get(slice), run));
            row += run.rows;
        }
        return Primitives.linear(NDArrays.concat(mixed, 0), w.o());
    }

    /** One run's attention from its projected rows: {@code [T][heads * head_dim]}, before the output projection. */
    private NDArray attend(int layer, NDArray qRows, NDArray kRows, NDArray vRows, RunRows run) {
        long t = qRows.getShape().get(0);
        int hd = config.headDim();
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int groups = config.kvGroups();
        NDArray q = rope(qRows.reshape(t, heads, hd).transpose(1, 0, 2), run);
        NDArray k = rope(kRows.reshape(t, kvHeads, hd).transpose(1, 0, 2), run);
        NDArray v = vRows.reshape(t, kvHeads, hd).transpose(1, 0, 2);
        if (run.capture != null) {
            NDScope.unregister(k, v);
            run.capture.put(layer, k, v);
            run.captured.add(k);
            run.captured.add(v);
        }
        if (run.prefix != null) {
            k = NDArrays.concat(new NDList(run.prefix.keys(layer), k), 1);
            v = NDArrays.concat(new NDList(run.prefix.values(layer), v), 1);
        }
        long keys = k.getShape().get(1);
        // Query head h reads key/value head floor(h / groups): group the query heads per kv head.
        NDArray grouped = q.reshape(kvHeads, groups * t, hd);
        NDArray scores = scaled(grouped.matMul(k.transpose(0, 2, 1)))
                .reshape(kvHeads, groups, t, keys)
                .addi(run.mask(config.windowAt(layer)));
        NDArray probabilities = scores.softmax(-1).reshape(kvHeads, groups * t, keys);
        NDArray perHead = probabilities.matMul(v).reshape(heads, t, hd);
        return perHead.transpose(1, 0, 2).reshape(t, (long) heads * hd);
    }

    /**
     * Raw scores to the logits softmax reads: divided by sqrt(head_dim); for Gemma-2 multiplied by
     * query_pre_attn_scalar^-1/2 instead and soft-capped, as its reference computes them.
     */
    private NDArray scaled(NDArray scores) {
        FamilyOptions o = config.options();
        if (o.queryPreAttnScalar() == null) {
            return scores.divi((float) Math.sqrt(config.headDim()));
        }
        NDArray s = scores.muli((float) Math.pow(o.queryPreAttnScalar(), -0.5));
        return o.attnLogitSoftcap() == null ? s : Primitives.softcap(s, o.attnLogitSoftcap());
    }

    /** Rotate-half RoPE on {@code [heads][T][head_dim]}: dimension i pairs with i + head_dim/2. */
    private NDArray rope(NDArray x, RunRows positions) {
        int half = config.headDim() / 2;
        NDArray rotated = NDArrays.concat(new NDList(x.get("..., " + half + ":").neg(), x.get("..., :" + half)), -1);
        return x.mul(positions.cos).addi(rotated.muli(positions.sin));
    }

    /**
     * The gated MLP: {@code down(act(gate(x)) * up(x))}, SiLU for SwiGLU, tanh-GELU for Gemma-2's
     * GeGLU. The products run in place on fresh outputs: at a stacked batch's [rows][intermediate]
     * size every fresh tensor is fresh pages.
     */
    private NDArray mlp(NDArray x, DecoderWeights.Layer w) {
        NDArray gate = Primitives.linear(x, w.gate());
        NDArray activated = switch (config.family().activation()) {
            case SILU -> Primitives.silu(gate);
            case GELU_TANH -> Primitives.geluTanh(gate);
        };
        return Primitives.linear(activated.muli(Primitives.linear(x, w.up())), w.down());
    }

    // ---- head ----------------------------------------------------------------------------

    /**
     * {@code log_softmax(head(final_norm(resid)))} at the given positions only: {@code [P][V]} in
     * the manager of {@code lastResid}. Position p predicts the token at p+1.
     */
    public NDArray logprobs(NDArray lastResid, int[] positions) {
        return head.logprobs(lastResid, positions);
    }

    /** {@code final_norm} of the residual stream at every position. */
    public NDArray finalNorm(NDArray lastResid) {
        return head.finalNorm(lastResid);
    }

    /**
     * Per-token log-probs of a completion that starts at {@code boundary}:
     * {@code logprobs[t-1][ids[t]]} for t = boundary..T-1, read from float32 log-probs.
     */
    public float[] completionLogprobs(NDArray lastResid, int[] ids, int boundary) {
        int t = ids.length;
        if (boundary < 1 || boundary >= t) {
            throw new TokenInputException(source, "boundary", "must be in [1, " + (t - 1) + "], found " + boundary);
        }
        int[] positions = new int[t - boundary];
        int[] targets = new int[t - boundary];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = boundary - 1 + i;
            targets[i] = ids[boundary + i];
        }
        return tokenLogprobs(lastResid, positions, targets);
    }

    /**
     * {@code log p(targets[i])} at row {@code rows[i]} of the residual stream, in one pass through
     * the head; only the picked values leave native memory. Rows may repeat.
     */
    public float[] tokenLogprobs(NDArray lastResid, int[] rows, int[] targets) {
        return head.tokenLogprobs(lastResid, rows, targets);
    }

    /** Sum of per-token log-probs, accumulated in float64. */
    public static double sum(float[] tokenLogprobs) {
        double s = 0;
        for (float v : tokenLogprobs) {
            s += v;
        }
        return s;
    }

    // ---- inputs --------------------------------------------------------------------------

    private void checkIds(int[] ids) {
        if (ids.length == 0) {
            throw new TokenInputException(source, "ids", "empty sequence");
        }
        if (ids.length > config.maxPositionEmbeddings()) {
            throw new TokenInputException(source, "ids", ids.length + " tokens exceed max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
                throw new TokenInputException(source, "ids[" + i + "]",
                        "token id " + ids[i] + " outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
    }

    /** A run's rows checked against this model, with their rotary tables and masks. */
    private RunRows runRows(NDArray resid, KvCache prefix, KvCache capture, Packing packing) {
        Shape shape = resid.getShape();
        if (shape.dimension() != 2 || shape.get(1) != config.hiddenSize()) {
            throw new IllegalArgumentException("residual stream must be [T][" + config.hiddenSize() + "], found " + shape);
        }
        int rows = Math.toIntExact(shape.get(0));
        if (packing.rows() != rows) {
            throw new IllegalArgumentException("packing of " + packing.rows() + " rows for " + rows + " rows");
        }
        if (packing.maxPosition() + 1 > config.maxPositionEmbeddings()) {
            throw new TokenInputException(source, "ids", (packing.maxPosition() + 1) + " tokens exceed max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        if (capture != null && capture.length() != rows) {
            throw new IllegalArgumentException("capture cache of " + capture.length() + " positions for " + rows + " rows");
        }
        return RunRows.of(resid.getManager(), invFreq, config.options().slidingWindow(), packing, prefix, capture);
    }

    @Override
    public void close() {
        weights.close();
    }
}
