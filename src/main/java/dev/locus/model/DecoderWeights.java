package dev.locus.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The weights of a model of any {@link Family}, {@code [out][in]} for linear layers as stored, each
 * held one of two ways:
 * <ul>
 *   <li><b>resident</b>: float32 NDArrays on the device of the manager they are loaded into (an F32
 *       tensor; every tensor on a GPU; every norm and bias, which are small);
 *   <li><b>as stored</b>: an F16 or BF16 matrix (embedding, projections, MLP, head) on the CPU stays
 *       2 bytes per parameter, mapped from its file ({@link MappedTensor}), and is widened to
 *       float32 when used: a block's matrices into buffers reused from block to block
 *       ({@link #layer}), the head a block of rows at a time ({@link #headRows}), the embedding row by row.
 * </ul>
 * Widening is exact, so both ways compute the same bits. A family whose norms scale by 1 + w holds
 * 1 + w (computed in float32 as its reference does), so every norm applies its weight the same way.
 * Owns its manager and the checkpoint's open files; one pass at a time (the buffers are shared).
 */
public final class DecoderWeights implements AutoCloseable {
    /**
     * One decoder block's weights, by role: the norm before attention, the projections (with q, k, v
     * biases or null), the norm on attention's output (null outside Gemma-2), the norm before the MLP,
     * the MLP, and the norm on the MLP's output (null outside Gemma-2).
     */
    public record Layer(
            NDArray inputNorm,
            NDArray q,
            NDArray k,
            NDArray v,
            NDArray qBias,
            NDArray kBias,
            NDArray vBias,
            NDArray o,
            NDArray attentionOutNorm,
            NDArray mlpNorm,
            NDArray gate,
            NDArray up,
            NDArray down,
            NDArray mlpOutNorm) {
        /** A block's weights from its tensors by role; a role the family lacks is null. */
        static Layer of(Map<Role, NDArray> w) {
            return new Layer(w.get(Role.INPUT_NORM), w.get(Role.Q), w.get(Role.K), w.get(Role.V), w.get(Role.Q_BIAS),
                    w.get(Role.K_BIAS), w.get(Role.V_BIAS), w.get(Role.O), w.get(Role.ATTENTION_OUT_NORM), w.get(Role.MLP_NORM),
                    w.get(Role.GATE), w.get(Role.UP), w.get(Role.DOWN), w.get(Role.MLP_OUT_NORM));
        }
    }

    /** How F16 and BF16 matrices are held on the CPU. */
    public enum Holding {
        /** 2 bytes per parameter, mapped, widened when used (the default). */
        AS_STORED,
        /** Decoded to float32 at load, 4 bytes per parameter: no widening per pass, for machines with the memory. */
        FLOAT32;

        public static final String PROPERTY = "locus.weights";

        /** {@code -Dlocus.weights=stored|float32}; stored when unset. */
        public static Holding fromProperty() {
            String v = System.getProperty(PROPERTY, "stored");
            return switch (v) {
                case "stored" -> AS_STORED;
                case "float32" -> FLOAT32;
                default -> throw new dev.locus.LocusException("-D" + PROPERTY, PROPERTY,
                        "expected stored or float32, found \"" + v + "\"", null);
            };
        }
    }

    /** Elements decoded per task at load; chunks of a tensor decode in parallel. */
    private static final int CHUNK_ELEMENTS = 1 << 23;
    /** Largest tensor built from a single direct buffer; larger ones are built in row blocks. */
    private static final long MAX_BUFFER_BYTES = 1L << 30;

    private final NDManager manager;
    private final Checkpoint checkpoint;
    private final int hidden;
    private final Held embed;
    private final List<Map<Role, Held>> blocks;
    private final NDArray finalNorm;
    private final Held head;
    private final WideningBuffers buffers;
    private final List<MappedTensor> mapped;

    /** A tensor held resident (float32) or as stored (mapped). */
    private record Held(NDArray resident, MappedTensor stored) {}

    private DecoderWeights(NDManager manager, Checkpoint checkpoint, Held embed, List<Map<Role, Held>> blocks, NDArray finalNorm,
            Held head, List<MappedTensor> mapped, WideningBuffers buffers) {
        this.manager = manager;
        this.checkpoint = checkpoint;
        this.hidden = checkpoint.config().hiddenSize();
        this.embed = embed;
        this.blocks = List.copyOf(blocks);
        this.finalNorm = finalNorm;
        this.head = head;
        this.mapped = mapped;
        this.buffers = buffers.retain();
    }

    /**
     * Loads the weights of an open checkpoint, held as {@code -Dlocus.weights} says; they own the
     * checkpoint from now on (its files stay open while F16 and BF16 matrices are read from them;
     * closing the weights closes it).
     */
    public static DecoderWeights load(Checkpoint checkpoint, NDManager parent) {
        return load(checkpoint, parent, Holding.fromProperty(), new WideningBuffers(parent));
    }

    /**
     * Loads the weights of an open checkpoint, held as {@code holding} says, owning the checkpoint;
     * stored matrices are widened into {@code buffers} (which the two models of a pair share).
     */
    public static DecoderWeights load(Checkpoint checkpoint, NDManager parent, Holding holding, WideningBuffers buffers) {
        DecoderConfig c = checkpoint.config();
        NDManager manager = parent.newSubManager();
        List<MappedTensor> mapped = new ArrayList<>();
        try (NDManager host = NDManager.newBaseManager(Device.cpu())) {
            Loader loader = new Loader(checkpoint, host, manager, holding, mapped);
            Layout layout = c.family().layout();
            Held embed = loader.held(Layout.name(Role.EMBED), Role.EMBED);
            List<Map<Role, Held>> blocks = new ArrayList<>();
            for (int l = 0; l < c.numLayers(); l++) {
                Map<Role, Held> block = new EnumMap<>(Role.class);
                for (Role role : layout.blockRoles()) {
                    block.put(role, loader.held(layout.name(role, l), role));
                }
                blocks.add(block);
            }
            NDArray finalNorm = loader.held(Layout.name(Role.FINAL_NORM), Role.FINAL_NORM).resident();
            Held head = c.tieWordEmbeddings() ? embed : loader.held(Layout.name(Role.HEAD), Role.HEAD);
            return new DecoderWeights(manager, checkpoint, embed, blocks, finalNorm, head, mapped, buffers);
        } catch (RuntimeException e) {
            mapped.forEach(MappedTensor::close);
            manager.close();
            checkpoint.close();
            throw e;
        }
    }

    public DecoderConfig config() {
        return checkpoint.config();
    }

    /** Whether any matrix is held as stored (and widened when used). */
    public boolean keepsStoredBytes() {
        return !mapped.isEmpty();
    }

    /** Bytes held resident as float32: resident tensors and the widening buffers (shared ones counted whole). */
    public long residentBytes() {
        long bytes = finalNorm.size() * 4;
        for (Held h : heldTensors()) {
            bytes += h.resident() == null ? 0 : h.resident().size() * 4;
        }
        return bytes + buffers.bytes();
    }

    private List<Held> heldTensors() {
        List<Held> all = new ArrayList<>();
        all.add(embed);
        blocks.forEach(b -> all.addAll(b.values()));
        if (head != embed) {
            all.add(head);
        }
        return all;
    }

    /** Rows {@code index} of the embedding, float32, in {@code work}. */
    NDArray embedRows(NDManager work, long[] index) {
        if (embed.resident() != null) {
            try (NDArray indexArray = work.create(index)) {
                return embed.resident().get(work, new NDIndex("{}", indexArray));
            }
        }
        ByteBuffer rows = ByteBuffer.allocateDirect(index.length * hidden * 4).order(ByteOrder.nativeOrder());
        for (long id : index) {
            embed.stored().widen(id * hidden, hidden, rows);
        }
        rows.flip();
        return work.create(rows, new Shape(index.length, hidden), DataType.FLOAT32);
    }

    /**
     * Block {@code layer}'s weights as float32: its stored matrices widened into the block buffers,
     * unless they already hold them (so the stacked runs of a batch widen each block once). Valid
     * until another block is asked for, of this model or of one sharing its buffers.
     */
    public Layer layer(int layer) {
        Map<Role, NDArray> arrays = new EnumMap<>(Role.class);
        for (Map.Entry<Role, Held> e : blocks.get(layer).entrySet()) {
            Held h = e.getValue();
            arrays.put(e.getKey(), h.resident() != null ? h.resident() : buffers.block(e.getKey(), h.stored()));
        }
        return Layer.of(arrays);
    }

    NDArray finalNorm() {
        return finalNorm;
    }

    /**
     * {@code x W^T} for unembedding rows {@code [first, first + rows)}: a stored head widened into
     * the head buffer, a resident one read in place when whole, else through a copy of the rows
     * freed at once.
     */
    NDArray headProduct(NDArray x, int first, int rows) {
        if (head.resident() == null) {
            return Primitives.linear(x, buffers.headRows(head.stored(), first, rows));
        }
        if (first == 0 && rows == config().vocabSize()) {
            return Primitives.linear(x, head.resident());
        }
        try (NDArray block = head.resident().get(x.getManager(), new NDIndex(first + ":" + (first + rows)))) {
            return Primitives.linear(x, block);
        }
    }

    /** The array's own libtorch memory (writing it writes the array), or a refusal naming the tensor. */
    static ByteBuffer exposed(NDArray array, long elements, String name) {
        ByteBuffer memory = array.toByteBuffer(true);
        if (!memory.isDirect() || memory.capacity() != elements * 4) {
            throw new IllegalStateException("libtorch did not expose the memory of a float32 buffer for " + name);
        }
        return memory;
    }

    /**
     * Reads each tensor the way it is held. Resident ones decode into host memory libtorch
     * allocated for them; on a CPU target that array is kept as it is, on a GPU it is copied over
     * and the host copy freed at once.
     */
    private record Loader(Checkpoint checkpoint, NDManager host, NDManager target, Holding holding, List<MappedTensor> mapped) {
        Held held(String name, Role role) {
            Checkpoint.Located t = checkpoint.tensor(name);
            boolean matrix = role.kind() == Role.Kind.LINEAR || role.kind() == Role.Kind.EMBEDDING;
            boolean half = t.entry().dtype() == DType.BF16 || t.entry().dtype() == DType.F16;
            if (holding == Holding.AS_STORED && matrix && half && target.getDevice().equals(Device.cpu())) {
                MappedTensor m = t.file().map(t.entry());
                mapped.add(m);
                return new Held(null, m);
            }
            NDArray w = tensor(name);
            return new Held(role.kind() == Role.Kind.NORM && checkpoint.config().family().unitOffsetNorms() ? w.addi(1f) : w, null);
        }

        private NDArray tensor(String name) {
            NDArray decoded = decoded(name);
            if (target.getDevice().equals(Device.cpu())) {
                decoded.attach(target);
                return decoded;
            }
            try (decoded) {
                NDArray onDevice = decoded.toDevice(target.getDevice(), false);
                onDevice.attach(target);
                return onDevice;
            }
        }

        private NDArray decoded(String name) {
            Checkpoint.Located t = checkpoint.tensor(name);
            long[] shape = t.entry().shape();
            long elements = t.entry().elementCount();
            if (elements * 4 <= MAX_BUFFER_BYTES) {
                return decode(t, 0, (int) elements, new Shape(shape));
            }
            long rowElements = elements / shape[0];
            long rowsPerBlock = Math.max(1, MAX_BUFFER_BYTES / 4 / rowElements);
            NDList blocks = new NDList();
            try {
                for (long row = 0; row < shape[0]; row += rowsPerBlock) {
                    long rows = Math.min(rowsPerBlock, shape[0] - row);
                    long[] blockShape = shape.clone();
                    blockShape[0] = rows;
                    blocks.add(decode(t, row * rowElements, Math.toIntExact(rows * rowElements), new Shape(blockShape)));
                }
                return NDArrays.concat(blocks, 0);
            } finally {
                blocks.close();
            }
        }

        /**
         * Decodes straight into an uninitialised libtorch tensor: no zero-fill and no second copy.
         * Allocating through Java instead costs more than the decoding itself.
         */
        private NDArray decode(Checkpoint.Located t, long first, int count, Shape shape) {
            NDArray array = host.create(shape, DataType.FLOAT32);
            ByteBuffer memory;
            try {
                memory = exposed(array, count, t.entry().name());
            } catch (IllegalStateException e) {
                array.close();
                throw e;
            }
            int chunks = (count + CHUNK_ELEMENTS - 1) / CHUNK_ELEMENTS;
            IntStream.range(0, chunks).parallel().forEach(i -> {
                int from = i * CHUNK_ELEMENTS;
                int n = Math.min(CHUNK_ELEMENTS, count - from);
                ByteBuffer slice = memory.slice(from * 4, n * 4).order(ByteOrder.nativeOrder());
                t.file().decodeFloat32(t.entry(), first + from, n, slice);
            });
            return array;
        }
    }

    @Override
    public void close() {
        manager.close();
        buffers.close();
        mapped.forEach(MappedTensor::close);
        checkpoint.close();
    }
}
