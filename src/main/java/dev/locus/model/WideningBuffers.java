package dev.locus.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The float32 buffers stored matrices are widened into: one block's matrices and the head. The two
 * models of a pair share one set (they run one pass at a time), so a pair costs one block and one
 * head in float32 beside its stored bytes. Each buffer remembers whose tensor it holds and is widened
 * again only when another is asked for.
 */
public final class WideningBuffers implements AutoCloseable {
    /** Elements widened per task; chunks of a tensor widen in parallel. */
    private static final int CHUNK_ELEMENTS = 1 << 23;

    private final NDManager manager;
    private final Map<Role, Slot> block = new EnumMap<>(Role.class);
    private Slot head;
    private int users;

    /** A buffer and the tensor it holds now. */
    private static final class Slot {
        final NDArray buffer;
        MappedTensor holds;

        Slot(NDArray buffer) {
            this.buffer = buffer;
        }
    }

    public WideningBuffers(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    /** One more model widens into these buffers; each calls {@link #close} when done. */
    WideningBuffers retain() {
        users++;
        return this;
    }

    /** {@code stored} as float32 in the block buffer of its role. Valid until the role's buffer is asked for again. */
    NDArray block(Role role, MappedTensor stored) {
        Slot slot = block.get(role);
        if (slot == null || !slot.buffer.getShape().equals(new Shape(stored.entry().shape()))) {
            if (slot != null) {
                slot.buffer.close();
            }
            slot = new Slot(kept(stored));
            block.put(role, slot);
        }
        return holding(slot, stored);
    }

    /** {@code stored} as float32 in the head buffer. */
    NDArray head(MappedTensor stored) {
        if (head == null || !head.buffer.getShape().equals(new Shape(stored.entry().shape()))) {
            if (head != null) {
                head.buffer.close();
            }
            head = new Slot(kept(stored));
        }
        return holding(head, stored);
    }

    /** Bytes of float32 held. */
    public long bytes() {
        long bytes = head == null ? 0 : head.buffer.size() * 4;
        for (Slot s : block.values()) {
            bytes += s.buffer.size() * 4;
        }
        return bytes;
    }

    private static NDArray holding(Slot slot, MappedTensor stored) {
        if (slot.holds != stored) {
            slot.holds = null;
            widenInto(stored, slot.buffer);
            slot.holds = stored;
        }
        return slot.buffer;
    }

    /**
     * A buffer that lives as long as these buffers: first asked for inside a pass, it must not join
     * that pass's NDScope, which frees what it registered.
     */
    private NDArray kept(MappedTensor stored) {
        NDArray buffer = manager.create(new Shape(stored.entry().shape()), DataType.FLOAT32);
        NDScope.unregister(buffer);
        return buffer;
    }

    /** Widens a stored tensor into a float32 CPU array of its shape, chunks in parallel. */
    private static void widenInto(MappedTensor stored, NDArray target) {
        long count = stored.entry().elementCount();
        ByteBuffer memory = DecoderWeights.exposed(target, count, stored.entry().name());
        int chunks = Math.toIntExact((count + CHUNK_ELEMENTS - 1) / CHUNK_ELEMENTS);
        IntStream.range(0, chunks).parallel().forEach(i -> {
            long from = (long) i * CHUNK_ELEMENTS;
            int n = (int) Math.min(CHUNK_ELEMENTS, count - from);
            stored.widen(from, n, memory.slice(Math.toIntExact(from * 4), n * 4).order(ByteOrder.nativeOrder()));
        });
    }

    /** Frees the buffers when the last model using them closes. */
    @Override
    public void close() {
        if (--users <= 0) {
            manager.close();
        }
    }
}
