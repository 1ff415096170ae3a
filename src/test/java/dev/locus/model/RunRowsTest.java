package dev.locus.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class RunRowsTest {
    private static final float NO = Float.NEGATIVE_INFINITY;

    @Test
    void aContinuationSeesThePrefixAndItsOwnEarlierRows() {
        // Rows at positions 2, 3, 4 after a two-position prefix.
        float[] mask = RunRows.mask(Packing.contiguous(2, 3), 2, null);
        assertThat(mask).containsExactly(
                0, 0, 0, NO, NO,
                0, 0, 0, 0, NO,
                0, 0, 0, 0, 0);
    }

    @Test
    void aWindowHidesKeysAWindowOrMoreBehindInThePrefixAndInTheRun() {
        float[] mask = RunRows.mask(Packing.contiguous(2, 3), 2, 2);
        assertThat(mask).containsExactly(
                NO, 0, 0, NO, NO,
                NO, NO, 0, 0, NO,
                NO, NO, NO, 0, 0);
    }

    @Test
    void packedCompletionsSeeThePromptAndThemselvesNeverEachOther() {
        // A prompt row at 0, then two completions both at position 1.
        float[] mask = RunRows.mask(new Packing(new int[] {0, 1, 1}, new int[] {0, 1, 2}), 0, null);
        assertThat(mask).containsExactly(
                0, NO, NO,
                0, 0, NO,
                0, NO, 0);
    }

    @Test
    void aWindowWiderThanTheSequenceIsTheCausalMask() {
        Packing packing = new Packing(new int[] {3, 4, 5, 4, 5}, new int[] {0, 1, 1, 2, 2});
        assertThat(RunRows.mask(packing, 3, 100)).containsExactly(RunRows.mask(packing, 3, null));
    }

    @Test
    void tablesHaveOneRowPerPositionAndAWindowMaskOnlyWithAWindow() {
        try (NDManager m = NDManager.newBaseManager();
                RunRows plain = RunRows.of(m, new float[] {1f, 0.5f}, null, Packing.contiguous(0, 3), null, null);
                RunRows windowed = RunRows.of(m, new float[] {1f, 0.5f}, 2, Packing.contiguous(0, 3), null, null)) {
            assertThat(plain.cos.getShape().getShape()).containsExactly(3, 4);
            assertThat(plain.mask(null)).isSameAs(plain.causalMask);
            assertThat(plain.windowMask).isNull();
            assertThat(windowed.mask(2).toFloatArray()).containsExactly(RunRows.mask(Packing.contiguous(0, 3), 0, 2));
            // cos(position * inv_freq), repeated over both halves of the head dimension.
            assertThat(plain.cos.toFloatArray()).containsExactly(
                    1f, 1f, 1f, 1f,
                    (float) Math.cos(1f), (float) Math.cos(0.5f), (float) Math.cos(1f), (float) Math.cos(0.5f),
                    (float) Math.cos(2f), (float) Math.cos(1f), (float) Math.cos(2f), (float) Math.cos(1f));
        }
    }
}
