package dev.locus.patching;

import dev.locus.LocusException;
import dev.locus.model.DType;
import dev.locus.model.DecoderConfig;
import dev.locus.model.GgufWriter;
import dev.locus.model.Point;
import dev.locus.model.SafetensorsFile;
import dev.locus.model.SafetensorsWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A steering vector as a run exports it ({@code steering.safetensors}): the mean tuned-minus-base
 * difference at L* ({@value #MEAN_DIFFERENCE}) and its projection on the top-k directions there
 * ({@value #PROJECTED}), with what it was measured on in the metadata: the model family and hidden
 * size, the point, the rank, the best weight c the run measured (none where no c was within its
 * fluency guard) and the run's provenance. Also as llama.cpp's control vector ({@link #writeGguf}).
 *
 * @param bestScale null where the run found none
 */
public record SteeringFile(String modelType, int hiddenSize, int layers, Point point, int rank, Double bestScale, float[] meanDifference,
        float[] projected, String provenance) {

    public static final String FILE = "steering.safetensors";
    public static final String GGUF = "steering.gguf";
    static final String MEAN_DIFFERENCE = "mean_difference";
    static final String PROJECTED = "projected";

    public void write(Path file) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "locus steering vector");
        metadata.put("model_type", modelType);
        metadata.put("hidden_size", Integer.toString(hiddenSize));
        metadata.put("num_hidden_layers", Integer.toString(layers));
        metadata.put("point", point.name());
        metadata.put("rank", Integer.toString(rank));
        metadata.put("best_scale", bestScale == null ? "none" : bestScale.toString());
        metadata.put("provenance", provenance);
        Map<String, float[]> tensors = Map.of(MEAN_DIFFERENCE, meanDifference, PROJECTED, projected);
        SafetensorsWriter.write(file, List.of(new SafetensorsWriter.Spec(MEAN_DIFFERENCE, DType.F32, new long[] {hiddenSize}),
                new SafetensorsWriter.Spec(PROJECTED, DType.F32, new long[] {hiddenSize})), metadata,
                (spec, first, out, count) -> System.arraycopy(tensors.get(spec.name()), (int) first, out, 0, count));
    }

    /**
     * The mean difference as llama.cpp's control vector ({@code --control-vector FILE}, or
     * {@code --control-vector-scaled FILE C} for the best c): one tensor {@code direction.L}, which
     * llama.cpp adds to the output of block L at every position, the same as adding it to locus's
     * {@code resid_post.L} or {@code block_out.L}. llama.cpp refuses a direction for L = 0, so there
     * is none to write then: returns false.
     */
    public boolean writeGguf(Path file) {
        if (point.layer() == 0) {
            return false;
        }
        GgufWriter gguf = new GgufWriter().string("general.architecture", "controlvector").string("controlvector.model_hint", modelType)
                .int32("controlvector.layer_count", 1).string("locus.point", point.name())
                .string("locus.best_scale", bestScale == null ? "none" : bestScale.toString()).tensor("direction." + point.layer(),
                        meanDifference);
        gguf.write(file);
        return true;
    }

    /** Reads a steering file; anything it lacks or holds wrongly is refused naming the file and the field. */
    public static SteeringFile read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new LocusException(file, "(file)", "no such steering file: give the " + FILE + " of a bin/locus reproduce run folder");
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> m = f.metadata();
            int hidden = integer(file, m, "hidden_size");
            Point point;
            try {
                point = Point.parse(required(file, m, "point"));
            } catch (IllegalArgumentException e) {
                throw new LocusException(file, "__metadata__.point", e.getMessage());
            }
            String best = required(file, m, "best_scale");
            Double bestScale;
            try {
                bestScale = best.equals("none") ? null : Double.valueOf(best);
            } catch (NumberFormatException e) {
                throw new LocusException(file, "__metadata__.best_scale", "expected a number or none, found \"" + best + "\"");
            }
            return new SteeringFile(required(file, m, "model_type"), hidden, integer(file, m, "num_hidden_layers"), point,
                    integer(file, m, "rank"), bestScale, vector(f, MEAN_DIFFERENCE, hidden), vector(f, PROJECTED, hidden),
                    m.getOrDefault("provenance", ""));
        }
    }

    /** Refuses a vector measured on a model of another family, hidden size or depth than {@code config}'s. */
    public void requireFits(Path file, DecoderConfig config, Path model) {
        if (!modelType.equals(config.family().modelType())) {
            throw new LocusException(file, "__metadata__.model_type", modelType + ", but " + model + " is " + config.family().modelType());
        }
        if (hiddenSize != config.hiddenSize()) {
            throw new LocusException(file, "__metadata__.hidden_size", hiddenSize + ", but " + model + " has hidden_size "
                    + config.hiddenSize());
        }
        if (point.layer() >= config.numLayers()) {
            throw new LocusException(file, "__metadata__.point", point.name() + ", but " + model + " has layers 0.."
                    + (config.numLayers() - 1));
        }
    }

    private static String required(Path file, Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new LocusException(file, "__metadata__." + key, "missing: not a steering file of bin/locus reproduce");
        }
        return v;
    }

    private static int integer(Path file, Map<String, String> m, String key) {
        String v = required(file, m, key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new LocusException(file, "__metadata__." + key, "expected an integer, found \"" + v + "\"");
        }
    }

    private static float[] vector(SafetensorsFile f, String name, int hidden) {
        SafetensorsFile.Entry e = f.entries().get(name);
        if (e == null) {
            throw new LocusException(f.path(), name, "missing tensor");
        }
        if (e.shape().length != 1 || e.shape()[0] != hidden) {
            throw new LocusException(f.path(), name, "shape " + e.shapeText() + ", expected [" + hidden + "] (hidden_size)");
        }
        ByteBuffer bytes = ByteBuffer.allocateDirect(4 * hidden).order(ByteOrder.nativeOrder());
        f.decodeFloat32(e, 0, hidden, bytes);
        bytes.flip();
        float[] out = new float[hidden];
        bytes.asFloatBuffer().get(out);
        return out;
    }
}
