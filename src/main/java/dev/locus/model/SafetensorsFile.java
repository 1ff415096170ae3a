package dev.locus.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file: its validated header, and float32 decoding of any element range of a
 * tensor through a memory map of just that range, so files and tensors over 2 GB load and the
 * process never holds more of the file mapped than one chunk.
 *
 * <p>Layout: 8-byte little-endian header length n, n bytes of JSON header, then the data section;
 * {@code data_offsets} count from the start of the data section and must tile it exactly.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The safetensors library's own cap on the header. */
    static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final int DECODE_BLOCK = 1 << 16;

    /** One tensor's header entry; offsets are absolute positions in the file. */
    public record Entry(String name, DType dtype, long[] shape, long fileOffset, long byteLength) {
        public long elementCount() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }

        public String shapeText() {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < shape.length; i++) {
                b.append(i == 0 ? "" : ", ").append(shape[i]);
            }
            return b.append(']').toString();
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Opens and validates the header; no tensor data is read. */
    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new SafetensorsFormatException(path, "(file)", "cannot open: " + e.getMessage());
        }
        try {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw new SafetensorsFormatException(path, "header length",
                        "file is " + fileSize + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0, path);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 2 || headerLength > fileSize - 8) {
                throw new SafetensorsFormatException(path, "header length",
                        Long.toUnsignedString(headerLength) + " bytes runs past the end of the " + fileSize + "-byte file");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsFormatException(path, "header length",
                        headerLength + " bytes exceeds the format's limit of " + MAX_HEADER_BYTES);
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8, path);
            long dataStart = 8 + headerLength;
            SafetensorsFile file = parseHeader(path, channel, headerBytes.array(), dataStart, fileSize - dataStart);
            channel = null;
            return file;
        } catch (IOException e) {
            throw new SafetensorsFormatException(path, "(file)", "cannot read: " + e.getMessage());
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the validation error already thrown is the one to report
                }
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer dst, long position, Path path) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                throw new SafetensorsFormatException(path, "header", "file ends inside the header");
            }
            at += n;
        }
    }

    private static SafetensorsFile parseHeader(
            Path path, FileChannel channel, byte[] header, long dataStart, long dataLength) {
        JsonNode root;
        try {
            root = JSON.readTree(new String(header, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(path, "header", "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException(path, "header", "expected a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> list = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            JsonNode node = field.getValue();
            if (name.equals("__metadata__")) {
                readMetadata(path, node, metadata);
            } else {
                list.add(readEntry(path, name, node, dataStart, dataLength));
            }
        }
        checkTiling(path, list, dataStart, dataLength);
        list.sort(Comparator.comparing(Entry::name));
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Entry e : list) {
            entries.put(e.name(), e);
        }
        return new SafetensorsFile(path, channel, Collections.unmodifiableMap(entries),
                Collections.unmodifiableMap(metadata));
    }

    private static void readMetadata(Path path, JsonNode node, Map<String, String> metadata) {
        if (!node.isObject()) {
            throw new SafetensorsFormatException(path, "__metadata__", "expected an object of strings");
        }
        node.fields().forEachRemaining(m -> {
            if (!m.getValue().isTextual()) {
                throw new SafetensorsFormatException(path, "__metadata__." + m.getKey(), "expected a string");
            }
            metadata.put(m.getKey(), m.getValue().asText());
        });
    }

    private static Entry readEntry(Path path, String name, JsonNode node, long dataStart, long dataLength) {
        if (!node.isObject()) {
            throw new SafetensorsFormatException(path, name, "expected an object with dtype, shape, data_offsets");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafetensorsFormatException(path, name + ".dtype", "missing or not a string");
        }
        DType dtype = DType.fromHeader(dtypeNode.asText());
        if (dtype == null) {
            throw new SafetensorsFormatException(path, name + ".dtype", "unknown dtype \"" + dtypeNode.asText() + "\"");
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new SafetensorsFormatException(path, name + ".shape", "missing or not an array");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = shapeNode.get(i);
            if (!dim.isIntegralNumber() || !dim.canConvertToLong() || dim.longValue() < 0) {
                throw new SafetensorsFormatException(path, name + ".shape", "dimension " + i + " is not a non-negative integer: " + dim);
            }
            shape[i] = dim.longValue();
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException e) {
                throw new SafetensorsFormatException(path, name + ".shape", "element count overflows");
            }
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw new SafetensorsFormatException(path, name + ".data_offsets", "missing or not a [begin, end] pair");
        }
        for (JsonNode o : offsets) {
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.longValue() < 0) {
                throw new SafetensorsFormatException(path, name + ".data_offsets", "not a non-negative integer: " + o);
            }
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (end < begin) {
            throw new SafetensorsFormatException(path, name + ".data_offsets", "end " + end + " precedes begin " + begin);
        }
        if (end > dataLength) {
            throw new SafetensorsFormatException(path, name + ".data_offsets",
                    "[" + begin + ", " + end + "] out of range: the data section holds " + dataLength + " bytes (file truncated?)");
        }
        long expected;
        try {
            expected = Math.multiplyExact(elements, dtype.bytes());
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(path, name + ".shape", "byte size overflows");
        }
        if (end - begin != expected) {
            throw new SafetensorsFormatException(path, name + ".data_offsets",
                    "holds " + (end - begin) + " bytes but shape " + java.util.Arrays.toString(shape) + " x " + dtype
                            + " needs " + expected);
        }
        return new Entry(name, dtype, shape, dataStart + begin, end - begin);
    }

    /** The format requires the tensors to cover the data section exactly, without overlap or gaps. */
    private static void checkTiling(Path path, List<Entry> list, long dataStart, long dataLength) {
        List<Entry> byOffset = new ArrayList<>(list);
        byOffset.sort(Comparator.comparingLong(Entry::fileOffset).thenComparingLong(Entry::byteLength));
        long cursor = dataStart;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.fileOffset() < cursor) {
                throw new SafetensorsFormatException(path, e.name() + ".data_offsets",
                        "overlaps tensor " + previous.name());
            }
            if (e.fileOffset() > cursor) {
                throw new SafetensorsFormatException(path, e.name() + ".data_offsets",
                        "leaves " + (e.fileOffset() - cursor) + " unindexed bytes before it");
            }
            cursor = e.fileOffset() + e.byteLength();
            previous = e;
        }
        if (cursor != dataStart + dataLength) {
            throw new SafetensorsFormatException(path, "data_offsets",
                    "tensors cover " + (cursor - dataStart) + " of the " + dataLength + " data bytes: trailing bytes are not indexed");
        }
    }

    public Path path() {
        return path;
    }

    /** Header entries by name, sorted by name. */
    public Map<String, Entry> entries() {
        return entries;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Decodes elements [first, first+count) of a float tensor into {@code dest} (native order,
     * float32, written from its position on), through a map of just that range, released at once.
     */
    public void decodeFloat32(Entry entry, long first, int count, ByteBuffer dest) {
        requireWeightType(entry);
        if (first < 0 || count < 0 || first + count > entry.elementCount()) {
            throw new IndexOutOfBoundsException("elements [" + first + ", " + (first + count) + ") of " + entry.name());
        }
        int width = entry.dtype().bytes();
        MappedByteBuffer mapped = mapRange(entry, entry.fileOffset() + first * width, (long) count * width);
        try {
            widen(entry.dtype(), mapped, count, dest);
        } finally {
            MappedRegions.unmap(mapped);
        }
    }

    /**
     * A tensor's bytes mapped in place for as long as the returned {@link MappedTensor} is open:
     * nothing is read or decoded now, the pages are the page cache's (shared with every process
     * that maps the file) and the kernel reads them on first touch and may drop them again.
     */
    public MappedTensor map(Entry entry) {
        requireWeightType(entry);
        long[] shape = entry.shape();
        long rowBytes = shape.length == 0 ? entry.byteLength() : entry.byteLength() / Math.max(1, shape[0]);
        // A Java map holds under 2 GB: a larger tensor is mapped as several runs of whole rows.
        long rowsPerSegment = rowBytes == 0 ? 1 : Math.max(1, MappedTensor.MAX_SEGMENT_BYTES / rowBytes);
        List<ByteBuffer> segments = new ArrayList<>();
        try {
            long rows = shape.length == 0 ? 1 : shape[0];
            for (long row = 0; row < rows; row += rowsPerSegment) {
                long n = Math.min(rowsPerSegment, rows - row);
                segments.add(mapRange(entry, entry.fileOffset() + row * rowBytes, n * rowBytes).order(ByteOrder.LITTLE_ENDIAN));
            }
        } catch (RuntimeException e) {
            segments.forEach(MappedRegions::unmap);
            throw e;
        }
        return new MappedTensor(this, entry, segments, rowsPerSegment * rowBytes / entry.dtype().bytes());
    }

    private void requireWeightType(Entry entry) {
        if (!entry.dtype().isWeightType()) {
            throw new SafetensorsFormatException(path, entry.name() + ".dtype",
                    entry.dtype() + " cannot be decoded to float32 weights (F32, F16, BF16 only)");
        }
    }

    /** A read-only map of bytes [offset, offset + length) of this file, which must lie within it. */
    private MappedByteBuffer mapRange(Entry entry, long offset, long length) {
        try {
            long size = channel.size();
            if (offset + length > size) {
                throw new SafetensorsFormatException(path, entry.name(), "its bytes end at " + (offset + length)
                        + " but the file now holds " + size + " (truncated after it was opened?)");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
        } catch (IOException e) {
            throw new SafetensorsFormatException(path, entry.name(), "cannot map tensor data: " + e.getMessage());
        }
    }

    /** {@code count} elements of {@code dtype} from {@code src}'s position on, as float32 into {@code dest}'s. */
    static void widen(DType dtype, ByteBuffer src, int count, ByteBuffer dest) {
        ByteBuffer in = src.slice().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = dest.slice().order(ByteOrder.nativeOrder());
        switch (dtype) {
            case F32 -> copyF32(in.limit(count * 4), out, count);
            case BF16 -> widenBf16(in.asShortBuffer(), out.asIntBuffer(), count);
            case F16 -> widenF16(in.asShortBuffer(), out.asFloatBuffer(), count);
            default -> throw new IllegalStateException(dtype.name());
        }
        dest.position(dest.position() + count * 4);
    }

    private static void copyF32(ByteBuffer src, ByteBuffer out, int count) {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            out.put(src);
            return;
        }
        FloatBuffer in = src.asFloatBuffer();
        FloatBuffer o = out.asFloatBuffer();
        float[] block = new float[Math.min(count, DECODE_BLOCK)];
        for (int done = 0; done < count; done += block.length) {
            int n = Math.min(block.length, count - done);
            in.get(block, 0, n);
            o.put(block, 0, n);
        }
    }

    private static void widenBf16(ShortBuffer in, IntBuffer out, int count) {
        short[] halves = new short[Math.min(count, DECODE_BLOCK)];
        int[] bits = new int[halves.length];
        for (int done = 0; done < count; done += halves.length) {
            int n = Math.min(halves.length, count - done);
            in.get(halves, 0, n);
            for (int i = 0; i < n; i++) {
                bits[i] = halves[i] << 16;
            }
            out.put(bits, 0, n);
        }
    }

    private static void widenF16(ShortBuffer in, FloatBuffer out, int count) {
        short[] halves = new short[Math.min(count, DECODE_BLOCK)];
        float[] floats = new float[halves.length];
        for (int done = 0; done < count; done += halves.length) {
            int n = Math.min(halves.length, count - done);
            in.get(halves, 0, n);
            for (int i = 0; i < n; i++) {
                floats[i] = Float16.halfToFloat(halves[i]);
            }
            out.put(floats, 0, n);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new SafetensorsFormatException(path, "(file)", "cannot close: " + e.getMessage());
        }
    }
}
