package dev.locus.measure;

import java.io.Serializable;

/**
 * What per-pair work gives back for one pair, wherever it ran: the phase's unit (null for work that
 * only reads clean runs) and, when asked, the pair's tuned-minus-base rows at a point.
 *
 * @param index the pair's index in the plan's pairs
 * @param differences [position][hidden] rows, or null when not asked for this pair
 */
public record PairOutcome(int index, PairUnit unit, float[][] differences) implements Serializable {}
