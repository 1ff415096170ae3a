package dev.locus.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a safetensors file tensor by tensor from a value generator, so multi-gigabyte checkpoints
 * are written without holding them in memory. Tensors are laid out in name order, header padded
 * with spaces to a multiple of 8, as the safetensors library writes them.
 */
public final class SafetensorsWriter {
    private static final int BLOCK = 1 << 20;

    /** One tensor to write. */
    public record Spec(String name, DType dtype, long[] shape) {
        public long elementCount() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }
    }

    /** Fills {@code out[0..count)} with elements [first, first+count) of a tensor, row-major. */
    @FunctionalInterface
    public interface Values {
        void fill(Spec spec, long first, float[] out, int count);
    }

    private SafetensorsWriter() {}

    public static void write(Path file, List<Spec> specs, Map<String, String> metadata, Values values) {
        List<Spec> ordered = new ArrayList<>(specs);
        ordered.sort(Comparator.comparing(Spec::name));
        byte[] header = header(ordered, metadata);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer prefix = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putLong(header.length).put(header).flip();
            writeFully(out, prefix);
            float[] block = new float[BLOCK];
            ByteBuffer bytes = ByteBuffer.allocateDirect(BLOCK * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (Spec spec : ordered) {
                long total = spec.elementCount();
                for (long first = 0; first < total; first += BLOCK) {
                    int n = (int) Math.min(BLOCK, total - first);
                    values.fill(spec, first, block, n);
                    bytes.clear();
                    encode(spec.dtype(), block, n, bytes);
                    bytes.flip();
                    writeFully(out, bytes);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static byte[] header(List<Spec> ordered, Map<String, String> metadata) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            // Sorted: Map.of iterates in an order that changes from run to run, and the bytes must not.
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Spec spec : ordered) {
            ObjectNode entry = root.putObject(spec.name());
            entry.put("dtype", spec.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long s : spec.shape()) {
                shape.add(s);
            }
            long bytes = spec.elementCount() * spec.dtype().bytes();
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        StringBuilder text = new StringBuilder(root.toString());
        while ((text.length() % 8) != 0) {
            text.append(' ');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void encode(DType dtype, float[] values, int n, ByteBuffer out) {
        switch (dtype) {
            case F32 -> out.asFloatBuffer().put(values, 0, n);
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out.putShort(i * 2, Float16.floatToBf16(values[i]));
                }
            }
            default -> throw new IllegalArgumentException("writing " + dtype + " is not supported (F32, BF16)");
        }
        out.position(n * dtype.bytes());
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }
}
