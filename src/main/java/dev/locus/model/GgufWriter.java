package dev.locus.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GGUF file (version 3) of string and int32 metadata and one-dimensional F32 tensors: what
 * llama.cpp's control vectors are. Written by hand because no GGUF library is served from Maven
 * Central here (com.llama4j:gguf 0.1.1 is not found); {@code GgufWriterTest} holds its bytes to
 * those of llama.cpp's own gguf-py writer for the same content.
 */
public final class GgufWriter {
    private static final int MAGIC = 0x46554747;
    private static final int VERSION = 3;
    private static final int ALIGNMENT = 32;
    private static final int TYPE_INT32 = 5;
    private static final int TYPE_STRING = 8;
    private static final int GGML_TYPE_F32 = 0;

    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final Map<String, float[]> tensors = new LinkedHashMap<>();

    public GgufWriter string(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public GgufWriter int32(String key, int value) {
        metadata.put(key, value);
        return this;
    }

    public GgufWriter tensor(String name, float[] values) {
        tensors.put(name, values.clone());
        return this;
    }

    /** The file's bytes: header, metadata, tensor infos, padding to the alignment, tensor data (each aligned). */
    public byte[] bytes() {
        Sink out = new Sink();
        out.u32(MAGIC).u32(VERSION).u64(tensors.size()).u64(metadata.size());
        metadata.forEach((key, value) -> {
            out.string(key);
            if (value instanceof String s) {
                out.u32(TYPE_STRING).string(s);
            } else {
                out.u32(TYPE_INT32).u32((Integer) value);
            }
        });
        long offset = 0;
        for (Map.Entry<String, float[]> t : tensors.entrySet()) {
            out.string(t.getKey()).u32(1).u64(t.getValue().length).u32(GGML_TYPE_F32).u64(offset);
            offset = aligned(offset + 4L * t.getValue().length);
        }
        out.pad();
        for (float[] values : tensors.values()) {
            for (float v : values) {
                out.f32(v);
            }
            out.pad();
        }
        return out.toArray();
    }

    public void write(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes());
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static long aligned(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** Little-endian bytes, growing. */
    private static final class Sink {
        private ByteBuffer buffer = ByteBuffer.allocate(1 << 12).order(ByteOrder.LITTLE_ENDIAN);

        private ByteBuffer room(int bytes) {
            if (buffer.remaining() < bytes) {
                ByteBuffer grown = ByteBuffer.allocate(Math.max(2 * buffer.capacity(), buffer.position() + bytes))
                        .order(ByteOrder.LITTLE_ENDIAN);
                buffer.flip();
                grown.put(buffer);
                buffer = grown;
            }
            return buffer;
        }

        Sink u32(int v) {
            room(4).putInt(v);
            return this;
        }

        Sink u64(long v) {
            room(8).putLong(v);
            return this;
        }

        Sink f32(float v) {
            room(4).putFloat(v);
            return this;
        }

        Sink string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            u64(utf8.length);
            room(utf8.length).put(utf8);
            return this;
        }

        void pad() {
            int pad = (int) (aligned(buffer.position()) - buffer.position());
            room(pad).put(new byte[pad]);
        }

        byte[] toArray() {
            byte[] out = new byte[buffer.position()];
            buffer.flip();
            buffer.get(out);
            return out;
        }
    }
}
