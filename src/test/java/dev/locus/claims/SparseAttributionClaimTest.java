package dev.locus.claims;

import dev.locus.report.Charts;

/** Claim 4 as a spec. */
class SparseAttributionClaimTest extends ClaimSpec<SparseAttributionClaim.Result> {
    @Override
    String evaluation() {
        return "evaluate LASSO (5-fold CV, 1-SE rule) and bootstrap refits";
    }

    @Override
    SparseAttributionClaim.Result evaluate(Measurement measurement, Expectations expectations) {
        return SparseAttributionClaim.evaluate(measurement, expectations);
    }

    @Override
    String csv(SparseAttributionClaim.Result r) {
        StringBuilder csv = new StringBuilder("layer,coefficient,selection_frequency,univariate_r2\n");
        for (int l = 0; l < r.coefficients().length; l++) {
            csv.append(l).append(',').append(r.coefficients()[l]).append(',').append(r.selectionFrequency()[l]).append(',')
                    .append(r.univariateR2()[l]).append('\n');
        }
        return csv.toString();
    }

    @Override
    byte[] png(SparseAttributionClaim.Result r) {
        return Charts.png(Charts.attribution(r));
    }
}
