package dev.locus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.locus.fixtures.RandomCheckpoint;
import dev.locus.model.DType;
import dev.locus.model.Hook;
import dev.locus.model.Decoder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profile gives a forward's samples to its primitives, and work outside the forward to none of them. */
class ProfileTest {
    @TempDir
    Path tmp;

    @Test
    void aForwardsTimeGoesToItsPrimitivesAndOtherWorkToNone() {
        RandomCheckpoint.write(tmp, RandomCheckpoint.Shape.TINY.config(), DType.F32, 3);
        int[] ids = new java.util.Random(3).ints(96, 0, RandomCheckpoint.Shape.TINY.config().vocabSize()).toArray();
        try (NDManager root = NDManager.newBaseManager(); Decoder model = Decoder.load(tmp, root)) {
            List<Profile.Share> forward = Profile.of(() -> {
                long until = System.nanoTime() + 1_500_000_000L;
                while (System.nanoTime() < until) {
                    try (NDManager work = root.newSubManager()) {
                        NDArray last = model.forward(work, ids, Hook.NONE);
                        model.logprobs(last, new int[] {ids.length - 1});
                    }
                }
            }, Duration.ofMillis(10));
            assertThat(forward).extracting(Profile.Share::primitive).contains("matmul (projections, MLP, head)");
            assertThat(forward.stream().filter(s -> s.primitive().startsWith("other")).mapToDouble(Profile.Share::share).sum())
                    .as("the forward's samples outside its primitives").isLessThan(0.5);
        }
        // Plain Java arithmetic between rare clock reads: a sample that lands inside the clock call
        // (vDSO code, outside the JVM's code cache) has no walkable stack and is dropped, and with
        // a clock read per iteration CI's machine kept none of 30.
        List<Profile.Share> elsewhere = Profile.of(() -> {
            long until = System.nanoTime() + 600_000_000L;
            long x = 1;
            while (System.nanoTime() < until) {
                for (int i = 0; i < 1_000_000; i++) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                }
            }
            assertThat(x).isNotZero();
        }, Duration.ofMillis(10));
        assertThat(elsewhere).isNotEmpty().allSatisfy(s -> assertThat(s.primitive()).startsWith("other"));
    }
}
