package dev.locus.model;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A tensor's bytes as the checkpoint stores them (F16 or BF16: 2 bytes per parameter), mapped
 * from its safetensors file and widened to float32 only when asked, into memory the caller owns.
 * Widening is exact: a bf16 value is the top half of a float32, and every f16 value is a float32.
 */
public final class MappedTensor implements AutoCloseable {
    /** Largest single map: whole rows up to 1 GiB (a Java map holds under 2 GB). */
    static final long MAX_SEGMENT_BYTES = 1L << 30;

    private final SafetensorsFile file;
    private final SafetensorsFile.Entry entry;
    private final List<ByteBuffer> segments;
    private final long elementsPerSegment;

    MappedTensor(SafetensorsFile file, SafetensorsFile.Entry entry, List<ByteBuffer> segments, long elementsPerSegment) {
        this.file = file;
        this.entry = entry;
        this.segments = List.copyOf(segments);
        this.elementsPerSegment = elementsPerSegment;
    }

    public SafetensorsFile.Entry entry() {
        return entry;
    }

    /**
     * Widens elements [first, first+count) into {@code dest} (native-order float32, from its
     * position on, which advances by {@code 4 * count}). Safe to call from several threads on
     * disjoint ranges and destinations.
     */
    public void widen(long first, int count, ByteBuffer dest) {
        if (first < 0 || count < 0 || first + count > entry.elementCount()) {
            throw new IndexOutOfBoundsException("elements [" + first + ", " + (first + count) + ") of " + entry.name()
                    + " in " + file.path());
        }
        int width = entry.dtype().bytes();
        long at = first;
        int left = count;
        while (left > 0) {
            int segment = Math.toIntExact(at / elementsPerSegment);
            long within = at - segment * elementsPerSegment;
            int n = (int) Math.min(left, elementsPerSegment - within);
            ByteBuffer source = segments.get(segment).duplicate().position(Math.toIntExact(within * width));
            SafetensorsFile.widen(entry.dtype(), source, n, dest);
            at += n;
            left -= n;
        }
    }

    /** Releases the maps; the page cache keeps what the kernel chooses to. */
    @Override
    public void close() {
        segments.forEach(MappedRegions::unmap);
    }
}
