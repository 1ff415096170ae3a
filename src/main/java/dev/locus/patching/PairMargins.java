package dev.locus.patching;

/**
 * One pair's line of a margins file, margins named by role: the recipient's, the donor's (when a
 * donor ran) and the recipient's under the intervention (when one was applied). A pair that could
 * not run is a {@link SkippedPair}, where it stands in the input.
 */
public sealed interface PairMargins permits PairMargins.Measured, SkippedPair {
    String id();

    record Measured(String id, int promptTokens, int chosenTokens, int rejectedTokens, Margin recipient, Margin donor,
            Margin patched, PatchedAt patchedAt) implements PairMargins {
        public static Measured of(Prompted pair, Margin recipient, Margin donor, Margin patched, Sweep.Cell cell) {
            return new Measured(pair.id(), pair.prompt().length, pair.completions().get(0).length,
                    pair.completions().get(1).length, recipient, donor, patched,
                    cell == null ? null : new PatchedAt(cell.point().name(), cell.intervention().kind(),
                            cell.intervention().positions().label(), cell.label()));
        }

        /** donor - recipient, or NaN without a donor. */
        public double gain() {
            return donor == null ? Double.NaN : donor.margin() - recipient.margin();
        }
    }

    /** Where and how the patched margin was taken, as results spell it. */
    record PatchedAt(String point, String kind, String positions, String label) {}
}
