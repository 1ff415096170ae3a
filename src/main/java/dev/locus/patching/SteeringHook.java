package dev.locus.patching;

import ai.djl.ndarray.NDArray;
import dev.locus.model.Hook;
import dev.locus.model.Point;

/**
 * A steering vector in a forward pass: scale x vector added to the residual stream after block L
 * ({@code resid_post.L}) at every position the pass runs, as llama.cpp adds a control vector to
 * layer L's output. Adding it to block L's own write ({@code block_out.L}) is the same (a law of
 * {@code PatchingLawsTest}).
 */
public record SteeringHook(int layer, float[] vector, double scale) implements Hook {
    @Override
    public NDArray at(Point point, NDArray value) {
        if (point.site() != Point.Site.RESID_POST || point.layer() != layer) {
            return value;
        }
        return value.add(value.getManager().create(vector).mul((float) scale));
    }
}
