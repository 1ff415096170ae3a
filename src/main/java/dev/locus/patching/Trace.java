package dev.locus.patching;

import ai.djl.ndarray.NDArray;
import dev.locus.model.Hook;
import dev.locus.model.Point;

/**
 * Every named point of one run over one segment of rows (absolute positions
 * {@code offset..offset+rows-1}): {@code stream[0]} the embeddings, {@code stream[L+1]} the output
 * of block L, and each block's attention and MLP contributions.
 */
final class Trace {
    final int offset;
    final NDArray[] stream;
    final NDArray[] attnOut;
    final NDArray[] mlpOut;

    Trace(int offset, int layers) {
        this.offset = offset;
        this.stream = new NDArray[layers + 1];
        this.attnOut = new NDArray[layers];
        this.mlpOut = new NDArray[layers];
    }

    /** Rows {@code from..from+count-1} of this trace as a trace of its own (views, no copy). */
    Trace rows(int from, int count, int offset) {
        Trace t = new Trace(offset, attnOut.length);
        String range = from + ":" + (from + count);
        for (int i = 0; i < stream.length; i++) {
            t.stream[i] = stream[i].get(range);
        }
        for (int l = 0; l < attnOut.length; l++) {
            t.attnOut[l] = attnOut[l].get(range);
            t.mlpOut[l] = mlpOut[l].get(range);
        }
        return t;
    }

    int rows() {
        return Math.toIntExact(stream[0].getShape().get(0));
    }

    NDArray last() {
        return stream[stream.length - 1];
    }

    /** A hook that fills this trace as a pass goes by. */
    Hook recorder() {
        return (point, value) -> {
            switch (point.site()) {
                case RESID_PRE -> stream[0] = value;
                case RESID_POST -> stream[point.layer() + 1] = value;
                case ATTN_OUT -> attnOut[point.layer()] = value;
                case MLP_OUT -> mlpOut[point.layer()] = value;
                case BLOCK_OUT -> throw new IllegalStateException("the forward pass never emits the derived " + point);
            }
            return value;
        };
    }

    /** The recipient-side value an intervention at {@code point} acts on. */
    NDArray at(Point point) {
        int l = point.layer();
        return switch (point.site()) {
            case RESID_PRE -> stream[0];
            case RESID_POST -> stream[l + 1];
            case BLOCK_OUT -> stream[l + 1].sub(stream[l]);
            case ATTN_OUT -> attnOut[l];
            case MLP_OUT -> mlpOut[l];
        };
    }

    /** The emitted point at which a pass meets {@code point}'s value (block_out is read at resid_post). */
    static Point modelPoint(Point point) {
        return point.derived() ? Point.residPost(point.layer()) : point;
    }
}
