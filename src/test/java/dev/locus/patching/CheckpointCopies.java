package dev.locus.patching;

import dev.locus.model.DType;
import dev.locus.model.SafetensorsFile;
import dev.locus.model.SafetensorsWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A checkpoint's weights file rewritten element by element, stored as float32: donors and near-copies for tests. */
final class CheckpointCopies {
    /** The new value of element {@code index} of tensor {@code name}, whose stored values are {@code values}. */
    interface Rewrite {
        float value(String name, FloatBuffer values, int index);
    }

    private CheckpointCopies() {}

    static void write(Path from, Path to, Rewrite rewrite) {
        try (SafetensorsFile source = SafetensorsFile.open(from)) {
            List<SafetensorsWriter.Spec> specs = new ArrayList<>();
            source.entries().values().forEach(e -> specs.add(new SafetensorsWriter.Spec(e.name(), DType.F32, e.shape())));
            SafetensorsWriter.write(to, specs, Map.of("format", "pt"), (spec, first, out, count) -> {
                SafetensorsFile.Entry entry = source.entries().get(spec.name());
                int n = Math.toIntExact(entry.elementCount());
                ByteBuffer all = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
                source.decodeFloat32(entry, 0, n, all);
                FloatBuffer values = all.flip().asFloatBuffer();
                for (int i = 0; i < count; i++) {
                    out[i] = rewrite.value(spec.name(), values, (int) (first + i));
                }
            });
        }
    }
}
