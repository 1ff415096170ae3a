package dev.locus.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locus.Golden;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path tmp;

    /** An 8-byte length, the header text, then {@code data} bytes. */
    static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    private Path write(byte[] bytes) throws IOException {
        Path p = Files.createTempFile(tmp, "t", ".safetensors");
        Files.write(p, bytes);
        return p;
    }

    private SafetensorsFormatException rejects(byte[] bytes) throws IOException {
        Path p = write(bytes);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(p).close());
        assertThat(e.getMessage()).startsWith(p.toString() + ": ");
        assertEquals(p.toString(), e.source());
        return e;
    }

    @Test
    void readsEveryDtypeToFloat32() throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                + "\"c\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[12,16]}}";
        byte[] bytes = file(header, 16);
        ByteBuffer data = ByteBuffer.wrap(bytes, bytes.length - 16, 16).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1.5f).putFloat(-2.25f);
        data.putShort((short) 0x3FC0).putShort((short) 0xC040); // bf16 1.5, -3.0
        data.putShort((short) 0x3C00).putShort((short) 0x0001); // f16 1.0, smallest subnormal
        try (SafetensorsFile f = SafetensorsFile.open(write(bytes))) {
            assertArrayEquals(new float[] {1.5f, -2.25f}, decode(f, "a"));
            assertArrayEquals(new float[] {1.5f, -3.0f}, decode(f, "b"));
            assertArrayEquals(new float[] {1.0f, 0x1p-24f}, decode(f, "c"));
        }
    }

    private static float[] decode(SafetensorsFile f, String name) {
        SafetensorsFile.Entry e = f.entries().get(name);
        ByteBuffer out = ByteBuffer.allocateDirect((int) e.elementCount() * 4).order(ByteOrder.nativeOrder());
        f.decodeFloat32(e, 0, (int) e.elementCount(), out);
        float[] values = new float[(int) e.elementCount()];
        out.flip();
        out.asFloatBuffer().get(values);
        return values;
    }

    @Test
    void roundTripsThroughTheWriter() throws IOException {
        Path p = tmp.resolve("w.safetensors");
        SafetensorsWriter.write(p, List.of(new SafetensorsWriter.Spec("x", DType.BF16, new long[] {3, 2}),
                new SafetensorsWriter.Spec("w", DType.F32, new long[] {4})), Map.of("format", "pt"),
                (spec, first, out, count) -> {
                    for (int i = 0; i < count; i++) {
                        out[i] = (first + i) * 0.5f - 1;
                    }
                });
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertArrayEquals(new float[] {-1, -0.5f, 0, 0.5f, 1, 1.5f}, decode(f, "x"));
            assertArrayEquals(new float[] {-1, -0.5f, 0, 0.5f}, decode(f, "w"));
            assertEquals("pt", f.metadata().get("format"));
            assertEquals(0, (Files.size(p) - 8 - (f.entries().get("w").fileOffset() - 8)) % 1);
        }
    }

    /** A sparse file over 2 GB: offsets past 2^31 must reach the right bytes (no int overflow, no 2 GB map). */
    @Test
    void tensorsPastTwoGigabytes() throws IOException {
        long big = (1L << 31) + 4096;
        String header = "{\"big\":{\"dtype\":\"BF16\",\"shape\":[" + big / 2 + "],\"data_offsets\":[0," + big + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + big + "," + (big + 8) + "]}}";
        while ((header.length() % 8) != 0) {
            header += " ";
        }
        Path p = tmp.resolve("sparse.safetensors");
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(p.toFile(), "rw")) {
            long dataStart = 8 + h.length;
            f.setLength(dataStart + big + 8);
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            f.write(h);
            f.seek(dataStart + big - 2);
            f.write(new byte[] {(byte) 0xC0, 0x3F}); // last bf16 element: 1.5
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(7f).putFloat(-8f).array());
        }
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            SafetensorsFile.Entry e = f.entries().get("big");
            ByteBuffer out = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            f.decodeFloat32(e, e.elementCount() - 2, 2, out);
            assertEquals(0f, out.getFloat(0));
            assertEquals(1.5f, out.getFloat(4));
            assertArrayEquals(new float[] {7f, -8f}, decode(f, "tail"));
        }
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] good = Files.readAllBytes(Golden.dir("tiny-f32-a").resolve("model.safetensors"));
        byte[] cut = java.util.Arrays.copyOf(good, good.length - 100);
        assertThat(rejects(cut).getMessage()).contains("out of range").contains("truncated");
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        assertThat(rejects(new byte[] {1, 2, 3}).field()).isEqualTo("header length");
    }

    @Test
    void headerLengthPastTheEnd() throws IOException {
        byte[] bytes = file("{}      ", 0);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        SafetensorsFormatException e = rejects(bytes);
        assertEquals("header length", e.field());
        assertThat(e.getMessage()).contains("runs past the end");
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        SafetensorsFormatException e = rejects(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8));
        assertEquals("a.data_offsets", e.field());
        assertThat(e.getMessage()).contains("out of range");
    }

    @Test
    void overlappingOffsets() throws IOException {
        SafetensorsFormatException e = rejects(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12));
        assertThat(e.getMessage()).contains("overlaps tensor a");
    }

    @Test
    void unknownDtype() throws IOException {
        SafetensorsFormatException e = rejects(file("{\"a\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8));
        assertEquals("a.dtype", e.field());
        assertThat(e.getMessage()).contains("unknown dtype \"F33\"");
    }

    @Test
    void byteSizeNotMatchingShapeTimesDtype() throws IOException {
        SafetensorsFormatException e = rejects(file("{\"a\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8));
        assertEquals("a.data_offsets", e.field());
        assertThat(e.getMessage()).contains("holds 8 bytes").contains("needs 6");
    }

    @Test
    void nonFloatDtypeCannotBeDecodedAsWeights() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(write(file("{\"a\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8)))) {
            ByteBuffer out = ByteBuffer.allocateDirect(8);
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                    () -> f.decodeFloat32(f.entries().get("a"), 0, 2, out));
            assertEquals("a.dtype", e.field());
        }
    }

    @Test
    void duplicateTensorNamesAreRejected() throws IOException {
        SafetensorsFormatException e = rejects(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
        assertThat(e.getMessage()).contains("Duplicate field 'a'");
    }

    // ---- malformed input generated by jqwik: only ever a SafetensorsFormatException ----------

    /**
     * Arbitrary bytes, and valid files with a few bytes overwritten: either a file that opens and
     * decodes, or the typed error. Any other exception (or an OutOfMemoryError from trusting a
     * length field) fails the property.
     */
    @Property(tries = 400)
    void arbitraryBytesGiveTypedErrorsOnly(@ForAll("malformed") byte[] bytes) throws IOException {
        // jqwik runs properties outside JUnit's lifecycle, so @TempDir is not injected here.
        Path p = Files.createTempFile("locus-fuzz", ".safetensors");
        Files.write(p, bytes);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            for (SafetensorsFile.Entry e : f.entries().values()) {
                if (e.dtype().isWeightType() && e.elementCount() < 1 << 20) {
                    ByteBuffer out = ByteBuffer.allocateDirect((int) e.elementCount() * 4);
                    f.decodeFloat32(e, 0, (int) e.elementCount(), out);
                }
            }
        } catch (SafetensorsFormatException expected) {
            assertThat(expected.getMessage()).startsWith(p.toString());
        } finally {
            Files.delete(p);
        }
    }

    @Provide
    Arbitrary<byte[]> malformed() {
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<byte[]> mutatedValid = Combinators.combine(
                        Arbitraries.integers().between(0, 120),
                        Arbitraries.bytes(),
                        Arbitraries.integers().between(0, 40),
                        Arbitraries.of("F32", "BF16", "F16", "I8", "??"),
                        Arbitraries.longs().between(-3, 1L << 62))
                .as((at, value, cut, dtype, dim) -> {
                    String header = "{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + dim % 5 + ",2],\"data_offsets\":[0,16]},"
                            + "\"__metadata__\":{\"format\":\"pt\"}}";
                    byte[] b = file(header, 16);
                    b[at % b.length] = value;
                    return java.util.Arrays.copyOf(b, Math.max(0, b.length - cut));
                });
        Arbitrary<byte[]> hugeLength = Arbitraries.longs().map(len -> {
            byte[] b = file("{}      ", 4);
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len);
            return b;
        });
        return Arbitraries.oneOf(noise, mutatedValid, hugeLength);
    }
}
