package dev.locus.measure;

import java.io.Serializable;

/**
 * What per-pair work gives back for one pair, wherever it ran: the phase's unit (null for work that
 * only reads clean runs or generates), when asked the pair's tuned-minus-base rows at a point, and
 * for the continuations phase its continuations (null for the others).
 *
 * @param index the pair's index in the plan's pairs
 * @param differences [position][hidden] rows, or null when not asked for this pair
 */
public record PairOutcome(int index, PairUnit unit, float[][] differences, Continuations continuations) implements Serializable {}
