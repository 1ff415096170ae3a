package dev.locus.model;

import ai.djl.ndarray.NDArray;

/**
 * Sees every named point as the forward pass reaches it and returns the value the pass continues
 * with: the value itself to read, another array of the same shape to replace it.
 *
 * <p>Arrays a hook creates should take the passed value as their first operand, so they are owned
 * by the caller's unit of work rather than by a longer-lived cache.
 */
@FunctionalInterface
public interface Hook {
    Hook NONE = (point, value) -> value;

    NDArray at(Point point, NDArray value);

    /** This hook, then {@code next} on its result. */
    default Hook then(Hook next) {
        return (point, value) -> next.at(point, at(point, value));
    }
}
