package dev.locus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.locus.measure.PhaseName;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExtrapolationTest {
    /**
     * Two measured pairs of 100 tokens, one held out: sweeps 10 s (5 per pair), dose 4 s (2 per
     * pair), subspace 3 s (3 per held-out pair), SVD 1 s. A run of 80 pairs of 150 tokens, 40 held
     * out: 1.5 x (80 x 7 + 40 x 3) + 1 = 1021 s.
     */
    @Test
    void aRunOfLongerPairsScalesEachPairsPhasesByItsTokensAndAddsTheSvdOnce() {
        Map<String, Double> timings = Map.of(PhaseName.LAYERS.timing(), 10.0, PhaseName.DOSE.timing(), 4.0,
                PhaseName.SUBSPACE.timing(), 3.0, PhaseName.SVD.timing(), 1.0);
        Extrapolation e = Extrapolation.of(timings, 2, 1, 100, 80, 40, 150);
        assertThat(e.perPairSweeps()).isEqualTo(5.0);
        assertThat(e.perPairDose()).isEqualTo(2.0);
        assertThat(e.perHeldOutSubspace()).isEqualTo(3.0);
        assertThat(e.lengthScale()).isEqualTo(1.5);
        assertThat(e.seconds()).isCloseTo(1021.0, within(1e-9));
    }
}
