package dev.locus.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The schedule of a stacked batch: runs join at their own first layer, every block from the
 * earliest one on runs once over the rows of every run that has reached it (so a block's weights
 * are read once per batch, not once per run), and each run's rows are cut out of the last block's
 * output. Attention stays within each run; that is the block's business, given the runs' rows.
 */
final class StackedRuns {
    /** One block over stacked rows: {@code runs} are the joined runs' rows, in stacking order. */
    @FunctionalInterface
    interface Block {
        NDArray run(int layer, NDArray stacked, List<RunRows> runs);
    }

    private StackedRuns() {}

    /**
     * Each run's last-block output, in the order given, in the enclosing scope; intermediates are
     * freed on the way. A run that starts at {@code layers} is returned as given.
     */
    static List<NDArray> run(List<BlockRun> runs, int layers, Function<BlockRun, RunRows> rowsOf, Block block) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            BlockRun r = runs.get(i);
            if (r.fromLayer() < 0 || r.fromLayer() > layers) {
                throw new IllegalArgumentException("fromLayer " + r.fromLayer() + " outside 0.." + layers);
            }
            order.add(i);
        }
        order.sort(Comparator.comparingInt(i -> runs.get(i).fromLayer()));
        List<RunRows> stacked = new ArrayList<>();
        try {
            for (int i : order) {
                stacked.add(rowsOf.apply(runs.get(i)));
            }
            NDArray x = null;
            int joined = 0;
            int first = runs.isEmpty() ? layers : runs.get(order.get(0)).fromLayer();
            for (int l = first; l < layers; l++) {
                NDList joining = new NDList();
                while (joined < order.size() && runs.get(order.get(joined)).fromLayer() == l) {
                    joining.add(runs.get(order.get(joined++)).residPre());
                }
                if (!joining.isEmpty()) {
                    NDArray previous = x;
                    if (previous != null) {
                        joining.add(0, previous);
                    }
                    x = joining.size() == 1 ? joining.get(0) : NDArrays.concat(joining, 0);
                    if (previous != null) {
                        previous.close();
                    }
                }
                NDArray next = block.run(l, x, stacked.subList(0, joined));
                // The caller's input is not ours to free; a stack or a block's output is.
                if (l > first || joining.size() > 1) {
                    x.close();
                }
                x = next;
            }
            NDArray[] outputs = new NDArray[runs.size()];
            long row = 0;
            for (int j = 0; j < order.size(); j++) {
                BlockRun r = runs.get(order.get(j));
                long rows = r.residPre().getShape().get(0);
                if (r.fromLayer() == layers) {
                    outputs[order.get(j)] = r.residPre();
                    continue;
                }
                outputs[order.get(j)] = x.get(row + ":" + (row + rows));
                row += rows;
            }
            return List.of(outputs);
        } finally {
            stacked.forEach(RunRows::close);
        }
    }
}
