package dev.locus.model;

import ai.djl.ndarray.NDArray;

/**
 * Sees every named point as the forward pass reaches it and returns the value the pass continues
 * with: the value itself to read, another array of the same shape to replace it.
 *
 * <p>A replacement must be a new array computed from the passed value (value first, so it is owned
 * by the caller's unit of work): the pass frees its intermediates, and would free a cached array
 * returned as is.
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
