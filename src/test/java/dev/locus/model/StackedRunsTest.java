package dev.locus.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schedule alone, with a block that adds its layer number plus one to every row. */
class StackedRunsTest {
    private static final int LAYERS = 4;

    @Test
    void runsJoinAtTheirOwnLayerAndEachBlockRunsOnceOverEveryJoinedRow() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<BlockRun> runs = List.of(
                    run(m, 2, 2, 10f),
                    run(m, 0, 1, 20f),
                    run(m, LAYERS, 3, 30f),
                    run(m, 2, 1, 40f));
            List<String> calls = new ArrayList<>();
            List<NDArray> out = StackedRuns.run(runs, LAYERS, r -> RunRows.of(m, new float[] {1f}, null, r.packing(), null, null),
                    (layer, stacked, rows) -> {
                        calls.add(layer + ":" + stacked.getShape().get(0) + " rows of " + rows.size() + " runs");
                        return stacked.add(layer + 1f);
                    });
            // The run from 0 alone through blocks 0 and 1, then both runs from 2 join it.
            assertThat(calls).containsExactly("0:1 rows of 1 runs", "1:1 rows of 1 runs", "2:4 rows of 3 runs", "3:4 rows of 3 runs");
            assertThat(out.get(0).toFloatArray()).containsExactly(10f + 3 + 4, 10f + 3 + 4);
            assertThat(out.get(1).toFloatArray()).containsExactly(20f + 1 + 2 + 3 + 4);
            assertThat(out.get(2)).as("a run past the last block is returned as given").isSameAs(runs.get(2).residPre());
            assertThat(out.get(3).toFloatArray()).containsExactly(40f + 3 + 4);
            assertThat(runs.get(0).residPre().isReleased()).as("the caller's inputs are the caller's").isFalse();
        }
    }

    @Test
    void aRunOutsideTheModelIsRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StackedRuns.run(List.of(run(m, LAYERS + 1, 1, 0f)), LAYERS, r -> null, (l, x, rows) -> x));
            assertThat(e.getMessage()).contains("fromLayer 5 outside 0..4");
        }
    }

    private static BlockRun run(NDManager m, int fromLayer, int rows, float value) {
        float[] values = new float[rows];
        java.util.Arrays.fill(values, value);
        return new BlockRun(m.create(values, new ai.djl.ndarray.types.Shape(rows, 1)), fromLayer, null, Packing.contiguous(0, rows));
    }
}
