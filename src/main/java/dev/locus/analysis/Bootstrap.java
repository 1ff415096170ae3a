package dev.locus.analysis;

import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Seeded percentile bootstrap over pairs: resample the pair indices with replacement, recompute a
 * statistic, and take the (1-c)/2 and (1+c)/2 quantiles. The same seed gives the same interval.
 */
public final class Bootstrap {
    /** A point estimate with its confidence interval. */
    public record Interval(double estimate, double low, double high, double confidence) {
        public boolean excludesZero() {
            return low > 0 || high < 0;
        }
    }

    private Bootstrap() {}

    /** Resampled index sets: {@code resamples} rows of n indices in [0, n). */
    public static int[][] resamples(int n, int resamples, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] out = new int[resamples][n];
        for (int[] row : out) {
            for (int i = 0; i < n; i++) {
                row[i] = random.nextInt(n);
            }
        }
        return out;
    }

    /** The statistic on all pairs, and its percentile interval over the resamples. */
    public static Interval interval(int n, Function<int[], Double> statistic, int resamples, double confidence, long seed) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        double[] values = new double[resamples];
        int[][] sets = resamples(n, resamples, seed);
        for (int b = 0; b < resamples; b++) {
            values[b] = statistic.apply(sets[b]);
        }
        double[] s = Statistics.sorted(values);
        return new Interval(statistic.apply(all), quantile(s, (1 - confidence) / 2), quantile(s, (1 + confidence) / 2), confidence);
    }

    /** mean(num) / mean(den) over the same resampled pairs. */
    public static Interval ratioOfMeans(double[] num, double[] den, int resamples, double confidence, long seed) {
        return interval(num.length, idx -> meanAt(num, idx) / meanAt(den, idx), resamples, confidence, seed);
    }

    public static Interval mean(double[] x, int resamples, double confidence, long seed) {
        return interval(x.length, idx -> meanAt(x, idx), resamples, confidence, seed);
    }

    static double meanAt(double[] x, int[] idx) {
        double s = 0;
        for (int i : idx) {
            s += x[i];
        }
        return s / idx.length;
    }

    /** Linear interpolation between order statistics (numpy's default). */
    static double quantile(double[] sorted, double q) {
        double at = q * (sorted.length - 1);
        int lo = (int) Math.floor(at);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
    }
}
