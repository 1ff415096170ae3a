package dev.locus.analysis;

import static dev.locus.analysis.GoldenStats.cases;
import static dev.locus.analysis.GoldenStats.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locus.Tolerance;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.commons.statistics.inference.PValueMethod;
import org.junit.jupiter.api.Test;

class StatisticsTest {
    @Test
    void holmMatchesTheGoldenAdjustment() {
        for (JsonNode c : cases("holm.json")) {
            assertArrayEquals(vector(c.get("holm_adjusted")), Statistics.holm(vector(c.get("p"))), Tolerance.STATISTIC);
        }
    }

    @Test
    void wilcoxonMatchesSciPy() {
        for (JsonNode c : cases("wilcoxon.json")) {
            double[] d = vector(c.get("differences"));
            String what = d.length + " differences";
            Wilcoxon.Result approx = Wilcoxon.test(d, PValueMethod.ASYMPTOTIC);
            assertEquals(c.get("statistic_min_rank_sum").doubleValue(), approx.statistic(), 0, what);
            assertEquals(c.get("p_two_sided_normal_approx_no_correction").doubleValue(), approx.p(), Tolerance.STATISTIC, what);
            JsonNode exact = c.get("p_two_sided_exact");
            if (exact != null && !exact.isNull()) {
                assertEquals(exact.doubleValue(), Wilcoxon.test(d, PValueMethod.EXACT).p(), Tolerance.STATISTIC, what + " exact");
                assertThat(Wilcoxon.test(d).exact()).as("the default is exact at n <= 50 without ties").isTrue();
            }
        }
    }

    @Test
    void wilcoxonDropsZerosFirst() {
        double[] d = {0, 0, 1.5, -0.5, 2.5, 3.5, -4.5, 5.5, 6.5};
        double[] nonZero = {1.5, -0.5, 2.5, 3.5, -4.5, 5.5, 6.5};
        assertEquals(Wilcoxon.test(nonZero).p(), Wilcoxon.test(d).p(), 0);
        assertEquals(7, Wilcoxon.test(d).n());
    }

    @Test
    void spearmanMatchesSciPy() {
        for (JsonNode c : cases("spearman.json")) {
            Spearman.Result r = Spearman.of(vector(c.get("x")), vector(c.get("y")));
            assertEquals(c.get("rho").doubleValue(), r.rho(), Tolerance.STATISTIC);
            assertEquals(c.get("p_two_sided").doubleValue(), r.p(), Tolerance.STATISTIC);
        }
    }

    @Property(tries = 30)
    void bootstrapIsSeedDeterministic(@ForAll @IntRange(min = 2, max = 50) int n, @ForAll long seed) {
        double[] x = LassoTest.column(LassoTest.random(n, 1, seed));
        Bootstrap.Interval a = Bootstrap.mean(x, 200, 0.95, seed);
        Bootstrap.Interval b = Bootstrap.mean(x, 200, 0.95, seed);
        assertEquals(a, b);
        assertThat(a.low()).isLessThanOrEqualTo(a.estimate() + Tolerance.FLOAT64_LAW);
        assertThat(a.high()).isGreaterThanOrEqualTo(a.low());
    }

    @Test
    void bootstrapIntervalOfAClearlyPositiveMeanExcludesZero() {
        double[] x = new double[40];
        for (int i = 0; i < x.length; i++) {
            x[i] = 1 + 0.1 * Math.sin(i);
        }
        assertThat(Bootstrap.mean(x, 500, 0.95, 1).excludesZero()).isTrue();
        double[] centred = new double[40];
        for (int i = 0; i < x.length; i++) {
            centred[i] = (i % 2 == 0 ? 1 : -1) * (1 + 0.1 * i);
        }
        assertThat(Bootstrap.mean(centred, 500, 0.95, 1).excludesZero()).isFalse();
    }
}
