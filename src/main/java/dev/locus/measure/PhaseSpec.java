package dev.locus.measure;

import dev.locus.model.Point;
import dev.locus.patching.PatchPositions;
import java.io.Serializable;
import java.util.List;

/**
 * A per-pair phase as plain serializable data, so that the JVM which runs it (this one, or an
 * executor) builds the same {@link Phase} from it: interventions are rebuilt there, not shipped.
 */
public sealed interface PhaseSpec extends Serializable {

    record LayerSweeps(int layers, PatchPositions positions) implements PhaseSpec {}

    record DoseAndControls(Point at, List<Double> alphas, long controlSeed, PatchPositions positions) implements PhaseSpec {}

    /** @param top the SVD basis at L*, the largest rank's rows */
    record Subspaces(Point at, float[][] top, int[] ranks, int draws, int hidden, long controlSeed, PatchPositions positions)
            implements PhaseSpec {}

    /**
     * @param meanDifference the mean tuned-minus-base difference of the fit pairs at L*
     * @param projected its projection onto the top-k directions there
     * @param scales the weights each vector is added with, none 0
     */
    record Steering(Point at, float[] meanDifference, float[] projected, List<Double> scales, int draws, long controlSeed,
            PatchPositions positions) implements PhaseSpec {}

    /**
     * @param vector the steering vector, added with weight 1 at {@code layer}'s output
     * @param maxNewTokens tokens generated per continuation
     */
    record Continuations(int layer, float[] vector, int maxNewTokens) implements PhaseSpec {}

    /** No patch: only the clean runs, for the fit pairs' differences a resumed run lacks before its SVD. */
    record CleanRunsOnly() implements PhaseSpec {}
}
