package dev.locus.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The float32 buffers stored matrices are widened into: one block's matrices and one block of the
 * head's rows. The two models of a pair share one set (they run one pass at a time), so a pair costs
 * one block and a few MB of head in float32 beside its stored bytes. Each buffer remembers which rows
 * of whose tensor it holds and is widened again only when others are asked for.
 */
public final class WideningBuffers implements AutoCloseable {
    /** Elements widened per task (4 MB of float32); chunks of a tensor widen in parallel. */
    private static final int CHUNK_ELEMENTS = 1 << 20;

    private final NDManager manager;
    private final Map<Role, Slot> block = new EnumMap<>(Role.class);
    /** Head rows by block height: a full block and the vocabulary's tail block. */
    private final Map<Long, Slot> head = new HashMap<>();
    private int users;

    /** A buffer and the rows it holds now. */
    private static final class Slot {
        final NDArray buffer;
        MappedTensor holds;
        long firstRow;

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
        long[] shape = stored.entry().shape();
        Slot slot = block.compute(role, (r, s) -> fitting(s, shape[0], shape[1]));
        return holding(slot, stored, 0);
    }

    /** Rows {@code [firstRow, firstRow + rows)} of the stored head (or tied embedding) as float32, {@code [rows][hidden]}. */
    NDArray headRows(MappedTensor stored, long firstRow, long rows) {
        long width = stored.entry().shape()[1];
        Slot slot = head.compute(rows, (r, s) -> fitting(s, rows, width));
        return holding(slot, stored, firstRow);
    }

    /** Bytes of float32 held. */
    public long bytes() {
        long bytes = 0;
        for (Slot s : block.values()) {
            bytes += s.buffer.size() * 4;
        }
        for (Slot s : head.values()) {
            bytes += s.buffer.size() * 4;
        }
        return bytes;
    }

    /** {@code slot} if its buffer is {@code [rows][width]}, else a new buffer of that shape (the old one freed). */
    private Slot fitting(Slot slot, long rows, long width) {
        Shape shape = new Shape(rows, width);
        if (slot != null && slot.buffer.getShape().equals(shape)) {
            return slot;
        }
        if (slot != null) {
            slot.buffer.close();
        }
        // Lives as long as these buffers: first asked for inside a pass, it must not join that pass's
        // NDScope, which frees what it registered.
        NDArray buffer = manager.create(shape, DataType.FLOAT32);
        NDScope.unregister(buffer);
        return new Slot(buffer);
    }

    private static NDArray holding(Slot slot, MappedTensor stored, long firstRow) {
        if (slot.holds != stored || slot.firstRow != firstRow) {
            slot.holds = null;
            widenInto(stored, firstRow * stored.entry().shape()[1], slot.buffer);
            slot.holds = stored;
            slot.firstRow = firstRow;
        }
        return slot.buffer;
    }

    /** Widens the stored elements from {@code first} on into a float32 CPU array, as many as it holds, chunks in parallel. */
    private static void widenInto(MappedTensor stored, long first, NDArray target) {
        long count = target.size();
        ByteBuffer memory = DecoderWeights.exposed(target, count, stored.entry().name());
        int chunks = Math.toIntExact((count + CHUNK_ELEMENTS - 1) / CHUNK_ELEMENTS);
        IntStream.range(0, chunks).parallel().forEach(i -> {
            long from = (long) i * CHUNK_ELEMENTS;
            int n = (int) Math.min(CHUNK_ELEMENTS, count - from);
            stored.widen(first + from, n, memory.slice(Math.toIntExact(from * 4), n * 4).order(ByteOrder.nativeOrder()));
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
