package dev.locus.spark;

import dev.locus.measure.PairOutcome;
import dev.locus.measure.PairWork;
import dev.locus.model.Gemm;
import java.io.Serializable;
import java.util.ArrayList;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction1;

/**
 * One task: the pairs of its partition through one stage's work, on this executor's models, with
 * as many threads as Spark gave the task cores. Its outcomes go back to the driver whole.
 */
final class PairTask extends AbstractFunction1<Iterator<Integer>, ArrayList<PairOutcome>> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Broadcast<Shipment> shipment;
    private final Broadcast<PairWork> work;

    PairTask(Broadcast<Shipment> shipment, Broadcast<PairWork> work) {
        this.shipment = shipment;
        this.work = work;
    }

    @Override
    public ArrayList<PairOutcome> apply(Iterator<Integer> partition) {
        Shipment s = shipment.value();
        ArrayList<Integer> indices = new ArrayList<>();
        while (partition.hasNext()) {
            indices.add(partition.next());
        }
        int[] pairs = indices.stream().mapToInt(Integer::intValue).toArray();
        ArrayList<PairOutcome> out = new ArrayList<>();
        ExecutorModels.with(s.checkpoints(), held -> {
            TaskContext context = TaskContext.get();
            Gemm.useThreads(context == null ? 1 : context.cpus());
            work.value().run(held.sweep(), held.root(), s.pairs(), s.heldOut(), pairs, out::add);
            return null;
        });
        return out;
    }
}
