package dev.locus.measure;

import ai.djl.ndarray.NDManager;
import dev.locus.model.Decoder;
import dev.locus.patching.Schedule;
import dev.locus.patching.Sweep;
import java.util.function.Consumer;

/** Per-pair work in this JVM, one pair after another, with both models loaded once (on construction) and kept until closed. */
public final class InProcess implements Runner {
    public static final String DESCRIPTION = "single JVM";

    private final Plan plan;
    private final NDManager root;
    private final Decoder.Pair models;
    private final Sweep sweep;

    public InProcess(Plan plan) {
        this.plan = plan;
        this.root = NDManager.newBaseManager(plan.device());
        try {
            this.models = Decoder.loadPair(plan.subject().base(), plan.subject().tuned(), root);
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
        this.sweep = new Sweep(models.first(), models.second(), Schedule.CACHED);
    }

    @Override
    public void run(PairWork work, int[] todo, Consumer<PairOutcome> done) {
        if (todo.length == 0) {
            return;
        }
        work.run(sweep, root, plan.pairs(), plan.heldOut(), todo, done);
    }

    @Override
    public String describe() {
        return DESCRIPTION;
    }

    @Override
    public void close() {
        try (root) {
            models.close();
        }
    }
}
