package dev.locus.regression;

import dev.locus.claims.Expectations;
import dev.locus.claims.Results;
import dev.locus.measure.Plan;
import dev.locus.patching.Prompted;
import java.util.List;

/**
 * What two runs must share to be compared: the measured pairs, the pairs file, the seed, the
 * models' depth and width, and the expectations held to. Known from a plan before anything is
 * measured, so a baseline that cannot serve is refused before the hours of a run, not after.
 */
public record RunIdentity(List<String> pairIds, String pairsSha256, Long seed, int layers, int hiddenSize, Expectations expectations) {
    public static RunIdentity of(Results r) {
        return new RunIdentity(r.measurement().sample().ids(), r.provenance().sha256().get("pairs"), r.provenance().seed(),
                r.measurement().layers(), r.measurement().hiddenSize(), r.expectations());
    }

    public static RunIdentity of(Plan plan, Expectations expectations) {
        return new RunIdentity(plan.pairs().stream().map(Prompted::id).toList(), plan.provenance().sha256().get("pairs"),
                plan.provenance().seed(), plan.config().numLayers(), plan.config().hiddenSize(), expectations);
    }
}
