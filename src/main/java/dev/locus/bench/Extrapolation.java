package dev.locus.bench;

import dev.locus.measure.PhaseName;
import java.util.Map;

/**
 * A full run's wall time extrapolated from a few measured pairs: per pair, the layer sweeps and the
 * dose phase; per held-out pair, the subspace phase; each scaled by the full sample's mean tokens per
 * pair over the measured pairs' (cost grows about linearly with a pair's tokens at these lengths,
 * attention being a few per cent), plus the SVD once.
 *
 * @param perPairSweeps seconds per measured pair of the layer sweeps with the clean runs
 * @param perPairDose seconds per measured pair of the dose and controls
 * @param perHeldOutSubspace seconds per measured held-out pair of the subspace patches
 * @param lengthScale the full sample's mean tokens per pair over the measured pairs'
 * @param pairs pairs of the full run
 * @param heldOut held-out pairs of the full run
 * @param svdSeconds the SVD's seconds
 */
public record Extrapolation(double perPairSweeps, double perPairDose, double perHeldOutSubspace, double lengthScale, int pairs,
        int heldOut, double svdSeconds) {

    /**
     * From the phase timings of {@code measured} pairs ({@code measuredHeldOut} held out, of
     * {@code measuredTokensPerPair} tokens on average), for a run of {@code pairs} pairs
     * ({@code heldOut} held out) of {@code tokensPerPair} tokens on average.
     */
    public static Extrapolation of(Map<String, Double> timings, int measured, int measuredHeldOut, double measuredTokensPerPair,
            int pairs, int heldOut, double tokensPerPair) {
        return new Extrapolation(timings.get(PhaseName.LAYERS.timing()) / measured, timings.get(PhaseName.DOSE.timing()) / measured,
                timings.get(PhaseName.SUBSPACE.timing()) / measuredHeldOut, tokensPerPair / measuredTokensPerPair, pairs, heldOut,
                timings.get(PhaseName.SVD.timing()));
    }

    /** The full run's predicted wall seconds. */
    public double seconds() {
        return lengthScale * (pairs * (perPairSweeps + perPairDose) + heldOut * perHeldOutSubspace) + svdSeconds;
    }
}
