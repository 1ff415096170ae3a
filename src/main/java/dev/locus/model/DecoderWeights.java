package dev.locus.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
 * The weights of a model of any {@link Family} as float32 NDArrays, exactly as stored
 * ({@code [out][in]} for linear layers), on the device of the manager they are loaded into, except
 * that a family whose norms scale by 1 + w holds 1 + w (computed in float32 as its reference does),
 * so every norm applies its weight the same way. Owns that manager.
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

    /** Elements decoded per task; chunks of a tensor decode in parallel. */
    private static final int CHUNK_ELEMENTS = 1 << 23;
    /** Largest tensor built from a single direct buffer; larger ones are built in row blocks. */
    private static final long MAX_BUFFER_BYTES = 1L << 30;

    public final NDArray embed;
    public final List<Layer> layers;
    public final NDArray finalNorm;
    /** The unembedding; the same array as {@link #embed} when the config ties them. */
    public final NDArray head;
    private final NDManager manager;

    private DecoderWeights(NDManager manager, NDArray embed, List<Layer> layers, NDArray finalNorm, NDArray head) {
        this.manager = manager;
        this.embed = embed;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.head = head;
    }

    public static DecoderWeights load(Checkpoint checkpoint, NDManager parent) {
        DecoderConfig c = checkpoint.config();
        NDManager manager = parent.newSubManager();
        try (NDManager host = NDManager.newBaseManager(Device.cpu())) {
            Loader loader = new Loader(checkpoint, host, manager);
            Layout layout = c.family().layout();
            NDArray embed = loader.tensor(Layout.name(Role.EMBED), Role.EMBED);
            List<Layer> layers = new ArrayList<>();
            for (int l = 0; l < c.numLayers(); l++) {
                Map<Role, NDArray> block = new EnumMap<>(Role.class);
                for (Role role : layout.blockRoles()) {
                    block.put(role, loader.tensor(layout.name(role, l), role));
                }
                layers.add(Layer.of(block));
            }
            NDArray finalNorm = loader.tensor(Layout.name(Role.FINAL_NORM), Role.FINAL_NORM);
            NDArray head = c.tieWordEmbeddings() ? embed : loader.tensor(Layout.name(Role.HEAD), Role.HEAD);
            return new DecoderWeights(manager, embed, layers, finalNorm, head);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Decodes each tensor into host memory that libtorch allocated for it; on a CPU target that
     * array is kept as it is, on a GPU it is copied over and the host copy freed at once.
     */
    private record Loader(Checkpoint checkpoint, NDManager host, NDManager target) {
        /** A tensor as the forward applies it: a norm weight as 1 + w where the family stores offsets. */
        NDArray tensor(String name, Role role) {
            NDArray w = stored(name);
            return role.kind() == Role.Kind.NORM && checkpoint.config().family().unitOffsetNorms() ? w.addi(1f) : w;
        }

        private NDArray stored(String name) {
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
            ByteBuffer target = array.toByteBuffer(true);
            if (!target.isDirect() || target.capacity() != count * 4) {
                array.close();
                throw new IllegalStateException("libtorch did not expose the tensor's memory for " + t.entry().name());
            }
            int chunks = (count + CHUNK_ELEMENTS - 1) / CHUNK_ELEMENTS;
            IntStream.range(0, chunks).parallel().forEach(i -> {
                int from = i * CHUNK_ELEMENTS;
                int n = Math.min(CHUNK_ELEMENTS, count - from);
                ByteBuffer slice = target.slice(from * 4, n * 4).order(ByteOrder.nativeOrder());
                t.file().decodeFloat32(t.entry(), first + from, n, slice);
            });
            return array;
        }
    }


    @Override
    public void close() {
        manager.close();
    }
}
