package dev.locus.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.locus.model.Point;
import java.util.SplittableRandom;

/**
 * What an {@link Intervention} sees of one segment of a patched run (the prompt rows, or one
 * completion's): the recipient's value r at the point and, on demand, its targets. {@code r} comes
 * first in every operation, so results are owned by the run's unit of work.
 */
public final class Segment {
    /** Another pair's donor values for this segment's rows, and a column of 1 where a row had a partner, 0 where not. */
    public record Aligned(NDArray values, NDArray valid) {}

    private final NDArray r;
    private final CleanRun run;
    private final Role role;
    private final Point point;
    private final Patcher.Targets targets;

    Segment(NDArray r, CleanRun run, Role role, Point point, Patcher.Targets targets) {
        this.r = r;
        this.run = run;
        this.role = role;
        this.point = point;
        this.targets = targets;
    }

    /** The recipient's value. */
    public NDArray r() {
        return r;
    }

    /** t - r with t the donor's value on the same tokens. */
    public NDArray toDonor() {
        return r.neg().add(targets.donor().trace(role).at(point));
    }

    /** The recipient's dataset mean at the point. */
    public float[] mean() {
        return targets.mean();
    }

    /** Row p of this segment taken from position p + (K' - K) of another pair's donor run (K, K' the boundaries). */
    public Aligned otherPair() {
        CleanRun other = targets.shuffledDonor();
        Trace mine = run.trace(role);
        Trace theirs = other.trace(role);
        int shift = other.tokens.boundary() - run.tokens.boundary();
        int rows = mine.rows();
        long[] index = new long[rows];
        float[] valid = new float[rows];
        for (int i = 0; i < rows; i++) {
            int j = mine.offset + i + shift - theirs.offset;
            if (j >= 0 && j < theirs.rows()) {
                index[i] = j;
                valid[i] = 1f;
            }
        }
        NDArray values = theirs.at(point).get(r.getManager(), new NDIndex("{}", r.getManager().create(index)));
        return new Aligned(values, r.getManager().create(valid, new Shape(rows, 1)));
    }

    /**
     * Gaussian rows seeded by absolute position, so the prompt gets the same noise in every
     * completion's run and both schedules see the same numbers.
     */
    public NDArray gaussian(long seed) {
        Trace trace = run.trace(role);
        Shape shape = r.getShape();
        int rows = Math.toIntExact(shape.get(0));
        int width = Math.toIntExact(shape.get(1));
        float[] out = new float[rows * width];
        int boundary = run.tokens.boundary();
        for (int i = 0; i < rows; i++) {
            int position = trace.offset + i;
            int sequence = position < boundary ? Role.PROMPT.completion() : role.completion();
            long rowSeed = seed;
            rowSeed = rowSeed * 31 + run.tokens.id().hashCode();
            rowSeed = rowSeed * 31 + point.name().hashCode();
            rowSeed = rowSeed * 31 + sequence;
            rowSeed = rowSeed * 31 + position;
            SplittableRandom random = new SplittableRandom(rowSeed);
            for (int c = 0; c < width; c++) {
                out[i * width + c] = (float) random.nextGaussian();
            }
        }
        return r.getManager().create(out, shape);
    }
}
