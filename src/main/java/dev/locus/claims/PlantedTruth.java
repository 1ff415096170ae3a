package dev.locus.claims;

import java.util.ArrayList;
import java.util.List;

/**
 * A fixture's planted answer against what the claims found: L* is a planted layer, every layer
 * LASSO selects lies within the tolerance of a planted one, and the smallest sufficient rank is at
 * most the planted rank.
 */
public final class PlantedTruth {
    private PlantedTruth() {}

    public static List<Check> check(Expectations.Truth truth, Claims claims) {
        AsymmetryClaim.Result asymmetry = claims.of(AsymmetryClaim.UNIT);
        LowRankClaim.Result lowRank = claims.of(LowRankClaim.UNIT);
        SparseAttributionClaim.Result sparse = claims.of(SparseAttributionClaim.UNIT);
        List<Check> checks = new ArrayList<>();
        List<Integer> planted = truth.plantedLayers();
        boolean peakPlanted = planted.contains(asymmetry.peakLayer());
        checks.add(new Check("L* = " + asymmetry.peakLayer() + " is a planted layer " + planted, peakPlanted ? 1 : 0, "=", 1, peakPlanted));
        int far = 0;
        for (int l : sparse.selectedLayers()) {
            int distance = planted.stream().mapToInt(p -> Math.abs(p - l)).min().orElse(Integer.MAX_VALUE);
            far += distance > truth.layerTolerance() ? 1 : 0;
        }
        checks.add(Check.atLeast("LASSO layers selected", sparse.selectedLayers().size(), 1));
        checks.add(Check.atMost("LASSO layers " + sparse.selectedLayers() + " farther than " + truth.layerTolerance() + " from "
                + planted, far, 0));
        checks.add(Check.atMost("smallest k (planted rank " + truth.plantedRank() + ")",
                lowRank.smallestK() == null ? Double.POSITIVE_INFINITY : lowRank.smallestK(), truth.plantedRank()));
        return checks;
    }
}
