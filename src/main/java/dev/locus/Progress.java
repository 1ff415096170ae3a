package dev.locus;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Pairs done, rate and ETA of one long phase, by progressbar: a live bar when stderr is a terminal,
 * otherwise plain ASCII lines every few seconds (and at the end), so CI logs stay readable. Units
 * finished by an earlier, interrupted run count as done but not in the rate.
 */
public final class Progress implements AutoCloseable {
    /** How often a log (not a terminal) gets a line. */
    static final int LOG_INTERVAL_MILLIS = 5_000;

    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    public static Progress of(String task, long total, long alreadyDone) {
        return of(task, total, alreadyDone, "pairs");
    }

    /** As {@link #of(String, long, long)}, counting {@code unit} instead of pairs. */
    public static Progress of(String task, long total, long alreadyDone, String unit) {
        return of(task, total, alreadyDone, unit, 1);
    }

    private static Progress of(String task, long total, long alreadyDone, String unit, long unitSize) {
        ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + unit, unitSize)
                .showSpeed(new java.text.DecimalFormat("0.000")).startsFrom(alreadyDone, Duration.ZERO);
        if (System.console() == null) {
            PrintStream err = System.err;
            builder.setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(LOG_INTERVAL_MILLIS)
                    .setConsumer(new DelegatingProgressBarConsumer(err::println, 100));
        } else {
            builder.setStyle(ProgressBarStyle.ASCII);
        }
        return new Progress(builder.build());
    }

    /** Bytes done of {@code total}, shown in MB, {@code alreadyDone} of them from an earlier run. */
    public static Progress bytes(String task, long total, long alreadyDone) {
        return of(task, total, alreadyDone, "MB", 1_000_000);
    }

    public void advance(long n) {
        bar.stepBy(n);
    }

    public void step() {
        bar.step();
    }

    @Override
    public void close() {
        bar.close();
    }
}
