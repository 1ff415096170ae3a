package dev.locus.patching;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.locus.Golden;
import dev.locus.model.Checkpoint;
import dev.locus.model.DecoderConfig;
import dev.locus.model.Decoder;
import dev.locus.model.Point;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LASSO's feature: two models that differ count, two that compute the same thing up to rounding do not. */
class ActivationsTest {
    private static final Prompted PAIR = new Prompted("p", new int[] {1, 7, 3, 9}, List.of(new int[] {5, 6, 2}, new int[] {8, 4}));
    private static final String LAYER_1_DOWN = "model.layers.1.mlp.down_proj.weight";

    @TempDir
    Path tmp;

    /**
     * Every weight moved by one unit in the last place changes each block's output by rounding
     * alone, which the distance counts as 0 at every layer, though the rows differ; one tensor of
     * block 1 scaled by 1 % leaves block 0 at 0 and gives block 1 a distance.
     */
    @Test
    void aDifferenceOfRoundingAloneIsNoDistanceAndARealOneIs() {
        Path a = Golden.dir("tiny-f32-a");
        Path ulp = copy(a, tmp.resolve("ulp"), name -> 1 + Math.ulp(1f));
        Path edited = copy(a, tmp.resolve("edited"), name -> name.equals(LAYER_1_DOWN) ? 1.01 : 1);
        try (NDManager work = NDManager.newBaseManager()) {
            Decoder base = Decoder.load(a, work);
            CleanRun from = CleanRun.of(base, work, PAIR, Schedule.CACHED);
            CleanRun rounded = CleanRun.of(Decoder.load(ulp, work), work, PAIR, Schedule.CACHED);
            CleanRun real = CleanRun.of(Decoder.load(edited, work), work, PAIR, Schedule.CACHED);
            boolean anyRowDiffers = false;
            for (int l = 0; l < base.config().numLayers(); l++) {
                Point at = Point.blockOut(l);
                assertThat(Activations.meanDistance(from, rounded, at, PatchPositions.COMPLETION)).as("rounding at %s", at.name()).isZero();
                for (float[] row : Activations.differences(from, rounded, at, PatchPositions.COMPLETION)) {
                    for (float v : row) {
                        anyRowDiffers |= v != 0;
                    }
                }
            }
            assertThat(anyRowDiffers).as("the one-ulp copy's rows differ from the original's").isTrue();
            assertThat(Activations.meanDistance(from, real, Point.blockOut(0), PatchPositions.COMPLETION)).isZero();
            assertThat(Activations.meanDistance(from, real, Point.blockOut(1), PatchPositions.COMPLETION)).isPositive();
        }
    }

    /** The checkpoint at {@code from} with each tensor's values multiplied by its factor, stored as float32. */
    private static Path copy(Path from, Path to, ToDoubleFunction<String> factor) {
        try {
            Files.createDirectories(to);
            Files.copy(from.resolve(DecoderConfig.FILE_NAME), to.resolve(DecoderConfig.FILE_NAME));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        CheckpointCopies.write(from.resolve(Checkpoint.SINGLE_FILE), to.resolve(Checkpoint.SINGLE_FILE),
                (name, values, i) -> values.get(i) * (float) factor.applyAsDouble(name));
        return to;
    }
}
