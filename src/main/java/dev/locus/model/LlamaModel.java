package dev.locus.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Llama-3 decoder on DJL NDArrays, written like the architecture: embeddings, N blocks of
 * (RMSNorm, grouped-query causal attention with RoPE, RMSNorm, SwiGLU MLP), final norm, head.
 *
 * <p>Every named {@link Point} passes through a {@link Hook}. A pass can start at any layer from a
 * given residual state ({@link #runBlocks}), and log-probs are computed only for the positions asked
 * for, because a 128k-wide head over every position is most of the cost of a short forward.
 *
 * <p>Activations live in the NDManager of the array passed in (the caller's unit of work);
 * temporaries inside a block are freed when the block returns.
 */
public final class LlamaModel implements AutoCloseable {
    private final LlamaConfig config;
    private final LlamaWeights weights;
    private final float[] invFreq;
    private final String source;
    /** Rows per head pass: bounds the [rows][vocab] logits (256 x 128256 floats = 131 MB for Llama-3). */
    private static final int HEAD_CHUNK_ROWS = 256;
    private final AtomicLong blockEvaluations = new AtomicLong();
    private final AtomicLong tokenBlocks = new AtomicLong();
    private final AtomicLong headRows = new AtomicLong();

    public LlamaModel(LlamaConfig config, LlamaWeights weights, String source) {
        this.config = config;
        this.weights = weights;
        this.invFreq = Rope.inverseFrequencies(config);
        this.source = source;
    }

    /** Opens, validates and loads a checkpoint directory. */
    public static LlamaModel load(Path dir, NDManager parent) {
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            return new LlamaModel(checkpoint.config(), LlamaWeights.load(checkpoint, parent), dir.toString());
        }
    }

    public LlamaConfig config() {
        return config;
    }

    /** The checkpoint directory (or other origin) errors name. */
    public String source() {
        return source;
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
        try (NDArray indexArray = work.create(index)) {
            NDArray rows = weights.embed.get(work, new NDIndex("{}", indexArray));
            // Gemma scales by sqrt(hidden) as a float32 scalar, before block 0 (the golden "embeddings").
            return config.family().scaledEmbeddings() ? rows.muli((float) Math.sqrt(config.hiddenSize())) : rows;
        }
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
                x = block(l, x, rows, hook);
            }
            rows.captured.forEach(NDScope::register);
            return x;
        }
    }

    /** One run of a batch: blocks {@code fromLayer..N-1} on {@code residPre}, its rows placed by {@code packing}. */
    public record BlockRun(NDArray residPre, int fromLayer, KvCache prefix, Packing packing) {}

    /**
     * Runs several runs with their rows stacked: each projection and MLP product of a block is one
     * product over the rows of every run that has reached that block, so the block's weights stream
     * once, not once per run; attention stays within each run (its own positions, prefix and mask).
     * Runs join at their own first layer. No hooks: a batched run's patch is in its input. Returns
     * each run's last-block output, in the order given, in the enclosing scope; every intermediate
     * is freed on the way.
     */
    public List<NDArray> runBlocksTogether(List<BlockRun> runs) {
        int n = config.numLayers();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            BlockRun r = runs.get(i);
            if (r.fromLayer() < 0 || r.fromLayer() > n) {
                throw new IllegalArgumentException("fromLayer " + r.fromLayer() + " outside 0.." + n);
            }
            order.add(i);
        }
        order.sort(java.util.Comparator.comparingInt(i -> runs.get(i).fromLayer()));
        List<RunRows> stacked = new ArrayList<>();
        try {
            for (int i : order) {
                BlockRun r = runs.get(i);
                stacked.add(runRows(r.residPre(), r.prefix(), null, r.packing()));
            }
            NDArray x = null;
            int joined = 0;
            for (int l = runs.isEmpty() ? n : runs.get(order.get(0)).fromLayer(); l < n; l++) {
                NDList joining = new NDList();
                while (joined < order.size() && runs.get(order.get(joined)).fromLayer() == l) {
                    joining.add(runs.get(order.get(joined++)).residPre());
                }
                if (!joining.isEmpty()) {
                    NDArray previous = x;
                    if (previous != null) {
                        joining.add(0, previous);
                    }
                    x = joining.size() == 1 ? joining.get(0) : NDArrays.concat(joining, 0);
                    if (previous != null) {
                        previous.close();
                    }
                }
                NDArray next = stackedBlock(l, x, stacked.subList(0, joined));
                if (l > runs.get(order.get(0)).fromLayer() || joining.size() > 1) {
                    x.close();
                }
                x = next;
            }
            NDArray[] outputs = new NDArray[runs.size()];
            long row = 0;
            for (int j = 0; j < order.size(); j++) {
                BlockRun r = runs.get(order.get(j));
                long rows = r.residPre().getShape().get(0);
                if (r.fromLayer() == n) {
                    outputs[order.get(j)] = r.residPre();
                    continue;
                }
                outputs[order.get(j)] = x.get(row + ":" + (row + rows));
                row += rows;
            }
            return List.of(outputs);
        } finally {
            stacked.forEach(RunRows::close);
        }
    }


    /** Block evaluations and token-blocks (rows x blocks) since the model was loaded. */
    public long blockEvaluations() {
        return blockEvaluations.get();
    }

    public long tokenBlocks() {
        return tokenBlocks.get();
    }

    /** Positions whose full-vocabulary log-softmax was computed. */
    public long headRows() {
        return headRows.get();
    }

    // ---- one decoder block ---------------------------------------------------------------

    private NDArray block(int layer, NDArray x, RunRows rows, Hook hook) {
        LlamaWeights.Layer w = weights.layers.get(layer);
        count(List.of(rows), x);
        NDArray attnOut;
        NDArray mlpOut;
        NDArray out;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            attnOut = hook.at(Point.attnOut(layer), attentionBranch(layer, x, w, List.of(rows)));
            NDArray h = x.add(attnOut);
            mlpOut = hook.at(Point.mlpOut(layer), mlpBranch(h, w));
            out = hook.at(Point.residPost(layer), h.add(mlpOut));
            NDScope.unregister(attnOut, mlpOut, out);
        }
        handToEnclosingScope(attnOut, mlpOut, out);
        return out;
    }

    /** A block over stacked runs, without hooks: only its output survives it. */
    private NDArray stackedBlock(int layer, NDArray x, List<RunRows> runs) {
        LlamaWeights.Layer w = weights.layers.get(layer);
        count(runs, x);
        NDArray out;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            // No hook sees a stacked block's parts, so the residual adds land in the fresh outputs.
            NDArray h = attentionBranch(layer, x, w, runs).addi(x);
            out = mlpBranch(h, w).addi(h);
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /**
     * What attention adds to the residual stream ({@code attn_out.L}): attention on the normed
     * stream, normed again where the family has sandwich norms.
     */
    private NDArray attentionBranch(int layer, NDArray x, LlamaWeights.Layer w, List<RunRows> runs) {
        NDArray branch = attention(layer, rmsNorm(x, w.inputNorm()), w, runs);
        return w.attentionOutNorm() == null ? branch : rmsNorm(branch, w.attentionOutNorm());
    }

    /** What the MLP adds to the residual stream ({@code mlp_out.L}), likewise. */
    private NDArray mlpBranch(NDArray h, LlamaWeights.Layer w) {
        NDArray branch = mlp(rmsNorm(h, w.mlpNorm()), w);
        return w.mlpOutNorm() == null ? branch : rmsNorm(branch, w.mlpOutNorm());
    }

    private void count(List<RunRows> runs, NDArray x) {
        blockEvaluations.addAndGet(runs.size());
        tokenBlocks.addAndGet(x.getShape().get(0));
    }

    /**
     * A block's outputs outlive its own scope; an enclosing NDScope (a patched run) frees them with
     * everything else it created. Without one they live until the caller's manager closes.
     */
    private static void handToEnclosingScope(NDArray... arrays) {
        for (NDArray a : arrays) {
            NDScope.register(a);
        }
    }

    /** {@code w * x / sqrt(mean(x^2) + eps)} over the hidden dimension. */
    NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray inverseRms = x.square().mean(new int[] {-1}, true).addi((float) config.rmsNormEps()).sqrt().powi(-1);
        return x.mul(inverseRms).muli(weight);
    }

    /** {@code x W^T} for a weight stored {@code [out][in]}. */
    private static NDArray linear(NDArray x, NDArray weight) {
        return Gemm.linear(x, weight);
    }

    /**
     * Grouped-query causal attention of stacked runs: the q/k/v and output projections over every
     * row at once, scores and mixing within each run's rows.
     */
    private NDArray attention(int layer, NDArray x, LlamaWeights.Layer w, List<RunRows> runs) {
        NDArray q = projection(x, w.q(), w.qBias());
        NDArray k = projection(x, w.k(), w.kBias());
        NDArray v = projection(x, w.v(), w.vBias());
        if (runs.size() == 1) {
            return linear(attend(layer, q, k, v, runs.get(0)), w.o());
        }
        NDList mixed = new NDList();
        long row = 0;
        for (RunRows run : runs) {
            String slice = row + ":" + (row + run.rows);
            mixed.add(attend(layer, q.get(slice), k.get(slice), v.get(slice), run));
            row += run.rows;
        }
        return linear(NDArrays.concat(mixed, 0), w.o());
    }

    /** {@code x W^T (+ b)}: Qwen2's q, k and v carry biases. */
    private static NDArray projection(NDArray x, NDArray weight, NDArray bias) {
        NDArray y = linear(x, weight);
        return bias == null ? y : y.addi(bias);
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
        if (config.queryPreAttnScalar() == null) {
            return scores.divi((float) Math.sqrt(config.headDim()));
        }
        NDArray s = scores.muli((float) Math.pow(config.queryPreAttnScalar(), -0.5));
        return config.attnLogitSoftcap() == null ? s : softcap(s, config.attnLogitSoftcap());
    }

    /** {@code cap * tanh(x / cap)}, in place on a fresh {@code x}. */
    private static NDArray softcap(NDArray x, double cap) {
        return x.divi((float) cap).tanh().muli((float) cap);
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
    private NDArray mlp(NDArray x, LlamaWeights.Layer w) {
        NDArray gate = linear(x, w.gate());
        NDArray activated = switch (config.family().activation()) {
            case SILU -> Activation.sigmoid(gate).muli(gate);
            case GELU_TANH -> geluTanh(gate);
        };
        return linear(activated.muli(linear(x, w.up())), w.down());
    }

    /** {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, PyTorch's {@code gelu(approximate="tanh")}. */
    private static NDArray geluTanh(NDArray x) {
        NDArray inner = x.mul(x).muli(x).muli(0.044715f).addi(x).muli((float) Math.sqrt(2 / Math.PI));
        return inner.tanh().addi(1f).muli(x).muli(0.5f);
    }

    // ---- head ----------------------------------------------------------------------------

    /**
     * {@code log_softmax(head(final_norm(resid)))} at the given positions only: {@code [P][V]} in
     * the manager of {@code lastResid}. Position p predicts the token at p+1.
     */
    public NDArray logprobs(NDArray lastResid, int[] positions) {
        NDArray rows = rows(lastResid, positions);
        headRows.addAndGet(positions.length);
        NDArray result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits = linear(rmsNorm(rows, weights.finalNorm), weights.head);
            result = (config.finalLogitSoftcap() == null ? logits : softcap(logits, config.finalLogitSoftcap())).logSoftmax(-1);
            NDScope.unregister(result);
        } finally {
            if (rows != lastResid) {
                rows.close();
            }
        }
        handToEnclosingScope(result);
        return result;
    }

    /** {@code final_norm} of the residual stream at every position. */
    public NDArray finalNorm(NDArray lastResid) {
        return rmsNorm(lastResid, weights.finalNorm);
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
        if (rows.length != targets.length) {
            throw new IllegalArgumentException(rows.length + " rows for " + targets.length + " targets");
        }
        for (int target : targets) {
            if (target < 0 || target >= config.vocabSize()) {
                throw new TokenInputException(source, "ids", "token id " + target + " outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
        float[] result = new float[rows.length];
        for (int start = 0; start < rows.length; start += HEAD_CHUNK_ROWS) {
            int n = Math.min(HEAD_CHUNK_ROWS, rows.length - start);
            long[] index = new long[n];
            for (int i = 0; i < n; i++) {
                index[i] = targets[start + i];
            }
            try (NDArray lp = logprobs(lastResid, java.util.Arrays.copyOfRange(rows, start, start + n));
                    NDArray picks = lp.getManager().create(index, new Shape(n, 1));
                    NDArray picked = lp.gather(picks, 1)) {
                System.arraycopy(picked.toFloatArray(), 0, result, start, n);
            }
        }
        Numerics.requireFinite(result, source, "log-probs");
        return result;
    }

    /** Sum of per-token log-probs, accumulated in float64. */
    public static double sum(float[] tokenLogprobs) {
        double s = 0;
        for (float v : tokenLogprobs) {
            s += v;
        }
        return s;
    }

    private static NDArray rows(NDArray x, int[] positions) {
        long t = x.getShape().get(0);
        if (positions.length == 0) {
            throw new IllegalArgumentException("no positions requested");
        }
        boolean contiguous = true;
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] < 0 || positions[i] >= t) {
                throw new IllegalArgumentException("position " + positions[i] + " outside 0.." + (t - 1));
            }
            contiguous &= positions[i] == positions[0] + i;
        }
        if (contiguous && positions.length == t) {
            return x;
        }
        if (contiguous) {
            return x.get(positions[0] + ":" + (positions[0] + positions.length));
        }
        long[] index = new long[positions.length];
        for (int i = 0; i < index.length; i++) {
            index[i] = positions[i];
        }
        try (NDArray indexArray = x.getManager().create(index)) {
            return x.get(new NDIndex("{}", indexArray));
        }
    }

    // ---- inputs and position tables ------------------------------------------------------

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

    /**
     * One run's rows: cos/sin of their rotary angles, the additive causal mask over prefix and
     * own keys (and, where the config has a sliding window, the same mask with the keys a window
     * or more behind masked too), and the caches to read from and write to.
     */
    private static final class RunRows implements AutoCloseable {
        final NDArray cos;
        final NDArray sin;
        final NDArray causalMask;
        final NDArray windowMask;
        final KvCache prefix;
        final KvCache capture;
        final long rows;
        /** Keys and values written to {@link #capture}, handed to the enclosing scope when the run ends. */
        final java.util.List<NDArray> captured = new java.util.ArrayList<>();

        RunRows(NDArray cos, NDArray sin, NDArray causalMask, NDArray windowMask, KvCache prefix, KvCache capture) {
            this.rows = cos.getShape().get(0);
            this.cos = cos;
            this.sin = sin;
            this.causalMask = causalMask;
            this.windowMask = windowMask;
            this.prefix = prefix;
            this.capture = capture;
        }

        @Override
        public void close() {
            cos.close();
            sin.close();
            causalMask.close();
            if (windowMask != null) {
                windowMask.close();
            }
        }

        /** The mask of a layer with this sliding window (null: none). */
        NDArray mask(Integer window) {
            return window == null ? causalMask : windowMask;
        }
    }

    private RunRows runRows(NDArray resid, KvCache prefix, KvCache capture, Packing packing) {
        Shape shape = resid.getShape();
        if (shape.dimension() != 2 || shape.get(1) != config.hiddenSize()) {
            throw new IllegalArgumentException("residual stream must be [T][" + config.hiddenSize() + "], found " + shape);
        }
        int rows = Math.toIntExact(shape.get(0));
        if (packing.rows() != rows) {
            throw new IllegalArgumentException("packing of " + packing.rows() + " rows for " + rows + " rows");
        }
        int offset = prefix == null ? 0 : prefix.length();
        int total = offset + rows;
        if (packing.maxPosition() + 1 > config.maxPositionEmbeddings()) {
            throw new TokenInputException(source, "ids", (packing.maxPosition() + 1) + " tokens exceed max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        if (capture != null && capture.length() != rows) {
            throw new IllegalArgumentException("capture cache of " + capture.length() + " positions for " + rows + " rows");
        }
        NDManager m = resid.getManager();
        float[][] angles = Rope.cosSin(invFreq, packing.positions());
        int hd = config.headDim();
        Integer window = config.slidingWindow();
        float[] mask = new float[rows * total];
        float[] windowed = window == null ? null : new float[rows * total];
        for (int q = 0; q < rows; q++) {
            int position = packing.positions()[q];
            for (int k = 0; k < offset; k++) {
                boolean seen = k <= position;
                mask[q * total + k] = seen ? 0f : Float.NEGATIVE_INFINITY;
                if (windowed != null) {
                    windowed[q * total + k] = seen && position - k < window ? 0f : Float.NEGATIVE_INFINITY;
                }
            }
            for (int k = 0; k < rows; k++) {
                boolean seen = packing.sees(q, k);
                mask[q * total + offset + k] = seen ? 0f : Float.NEGATIVE_INFINITY;
                if (windowed != null) {
                    windowed[q * total + offset + k] = seen && position - packing.positions()[k] < window ? 0f : Float.NEGATIVE_INFINITY;
                }
            }
        }
        return new RunRows(
                m.create(angles[0], new Shape(rows, hd)),
                m.create(angles[1], new Shape(rows, hd)),
                m.create(mask, new Shape(rows, total)),
                windowed == null ? null : m.create(windowed, new Shape(rows, total)),
                prefix,
                capture);
    }

    @Override
    public void close() {
        weights.close();
    }
}
