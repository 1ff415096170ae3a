package dev.locus.measure;

import ai.djl.ndarray.NDManager;
import dev.locus.LocusException;
import dev.locus.model.Point;
import dev.locus.patching.Activations;
import dev.locus.model.GreedyDecoding;
import dev.locus.model.Hook;
import dev.locus.patching.Margin;
import dev.locus.patching.SteeringHook;
import dev.locus.patching.PatchPositions;
import dev.locus.patching.Prompted;
import dev.locus.patching.Sweep;
import java.io.Serializable;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One stage of per-pair work as data, run the same way by every {@link Runner}: a phase, and
 * whether the fit pairs' tuned-minus-base rows at a point are read from the same clean runs (the
 * SVD's input, so the clean runs are not made twice).
 *
 * @param differencesAt the point whose rows the fit pairs give back, or null
 * @param differencePositions the positions of those rows
 */
public record PairWork(PhaseSpec phase, Point differencesAt, PatchPositions differencePositions) implements Serializable {

    /** A phase alone. */
    public static PairWork of(PhaseSpec phase) {
        return new PairWork(phase, null, null);
    }

    /**
     * Runs the work on the pairs {@code todo} names, with both models in {@code sweep}; {@code pairs}
     * are all the plan's pairs (the shuffled control draws its partner from any of them),
     * {@code heldOut} the split. Hands each pair's outcome to {@code done} as soon as it is complete.
     */
    public void run(Sweep sweep, NDManager root, List<Prompted> pairs, boolean[] heldOut, int[] todo, Consumer<PairOutcome> done) {
        if (phase instanceof PhaseSpec.Continuations c) {
            for (int i : todo) {
                done.accept(new PairOutcome(i, null, null, continuations(sweep, root, pairs.get(i), c)));
            }
            return;
        }
        Phase built = Phase.of(phase);
        boolean[] included = new boolean[pairs.size()];
        for (int i : todo) {
            included[i] = true;
        }
        Map<Sweep.Cell, MarginKey> keyOf = new IdentityHashMap<>();
        built.cells().forEach((key, cell) -> keyOf.put(cell, key));
        double[][] readouts = new double[pairs.size()][];
        float[][][] differences = new float[pairs.size()][][];
        Map<String, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < pairs.size(); i++) {
            indexOf.put(pairs.get(i).id(), i);
        }
        Sweep.CleanRunObserver observer = (i, base, tuned) -> {
            readouts[i] = built.readout().read(base, tuned);
            if (differencesAt != null && !heldOut[i]) {
                differences[i] = Activations.differences(base, tuned, differencesAt, differencePositions);
            }
        };
        boolean patches = !built.cells().isEmpty();
        sweep.run(root, pairs, List.copyOf(built.cells().values()), built.directions(), i -> included[i], observer, result -> {
            int i = indexOf.get(result.id());
            PairUnit unit = null;
            if (patches) {
                Map<String, Double> margins = new LinkedHashMap<>();
                Map<String, double[]> means = new LinkedHashMap<>();
                if (built.keepsCompletionMeans()) {
                    means.put(PairUnit.BASE, completionMeans(result.base()));
                }
                for (Sweep.Patched p : result.patched()) {
                    String key = Phase.marginKey(p.direction(), keyOf.get(p.cell()));
                    margins.put(key, finite(p.margin().margin(), result.id(), p.direction().label() + " " + p.cell().label()));
                    if (built.keepsCompletionMeans()) {
                        means.put(key, completionMeans(p.margin()));
                    }
                }
                unit = new PairUnit(finite(result.base().margin(), result.id(), "base margin"),
                        finite(result.tuned().margin(), result.id(), "tuned margin"), margins, readouts[i], means);
            }
            done.accept(new PairOutcome(i, unit, differences[i], null));
            differences[i] = null;
        });
    }

    /** The pair's prompt continued greedily by the base, by the base steered with weight 1, and by the tuned model. */
    private static Continuations continuations(Sweep sweep, NDManager root, Prompted pair, PhaseSpec.Continuations c) {
        return new Continuations(GreedyDecoding.continuation(sweep.base(), root, pair.prompt(), c.maxNewTokens(), Hook.NONE),
                GreedyDecoding.continuation(sweep.base(), root, pair.prompt(), c.maxNewTokens(), new SteeringHook(c.layer(), c.vector(), 1)),
                GreedyDecoding.continuation(sweep.tuned(), root, pair.prompt(), c.maxNewTokens(), Hook.NONE));
    }

    private static double[] completionMeans(Margin m) {
        return new double[] {m.chosenSum() / m.chosenTokens(), m.rejectedSum() / m.rejectedTokens()};
    }

    private static double finite(double margin, String pair, String what) {
        if (!Double.isFinite(margin)) {
            throw new LocusException("pair " + pair, what, "non-finite margin " + margin
                    + ": a model or the intervention produced NaN or infinity", null);
        }
        return margin;
    }
}
