package dev.locus.measure;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.model.Point;
import dev.locus.patching.PatchPositions;

/**
 * How the measured run is made, as an expectations file's {@code run:} block spells it: the pairs
 * sampled, the seed of sampling, split and bootstraps, the held-out share, the site patched, the
 * positions, the peak layer (null: L* = argmax f_L), the bootstrap and the controls' seed.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Run(Integer pairs, Long seed, Double heldOutFraction, Point.Site site, PatchPositions positions, Integer peakLayer,
        Integer bootstrapResamples, Double confidence, Long controlSeed) {

    /** The same run with a command line's settings in place of the file's; null keeps the file's. */
    public Run overriddenBy(Integer pairs, Long seed, Point.Site site, Integer peakLayer) {
        return new Run(pairs != null ? pairs : this.pairs, seed != null ? seed : this.seed, heldOutFraction,
                site != null ? site : this.site, positions, peakLayer != null ? peakLayer : this.peakLayer, bootstrapResamples,
                confidence, controlSeed);
    }
}
