package dev.locus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ScaleModelTest {
    @Test
    void tasksGoInOrderToTheFirstFreeExecutor() {
        // 3 and 3 start at once; the 2s follow on whichever frees first: 3+2, 3+2, then 5+2.
        assertThat(ScaleModel.makespan(new double[] {3, 3, 2, 2, 2}, 2)).isEqualTo(7);
        assertThat(ScaleModel.makespan(new double[] {1, 5, 1, 1}, 2)).isEqualTo(5);
    }

    @Test
    void aRunIsItsExecutorsStartTheThreeStagesAndTheDriversSteps() {
        ScaleModel m = new ScaleModel(new double[] {4, 4}, new double[] {1, 1}, new double[] {3}, 0.5, 2);
        assertThat(m.predict(1)).isEqualTo(2 + 8 + 2 + 0.5 + 3);
        assertThat(m.predict(2)).isEqualTo(2 + 4 + 1 + 0.5 + 3);
        assertThat(m.saturation()).isEqualTo(2);
    }

    @Property
    void oneExecutorSumsAndEnoughExecutorsTakeTheLongestTask(@ForAll @Size(min = 1, max = 40) List<@DoubleRange(min = 0.1, max = 100) Double> times,
            @ForAll @IntRange(min = 1, max = 50) int executors) {
        double[] tasks = times.stream().mapToDouble(Double::doubleValue).toArray();
        double sum = Arrays.stream(tasks).sum();
        double longest = Arrays.stream(tasks).max().orElseThrow();
        assertThat(ScaleModel.makespan(tasks, 1)).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-9 * sum));
        assertThat(ScaleModel.makespan(tasks, tasks.length + executors)).isEqualTo(longest);
        double span = ScaleModel.makespan(tasks, executors);
        assertThat(span).isGreaterThanOrEqualTo(Math.max(longest, sum / executors) - 1e-9 * sum);
        assertThat(span).isLessThanOrEqualTo(sum / executors + longest + 1e-9 * sum);
    }
}
