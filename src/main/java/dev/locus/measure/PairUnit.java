package dev.locus.measure;

import java.io.Serializable;
import java.util.Map;

/**
 * One covered pair's journaled unit of a per-pair phase: its clean margins, its patched margins by
 * {@link Phase#marginKey}, and what the phase read out of its clean runs.
 */
public record PairUnit(double base, double tuned, Map<String, Double> margins, double[] readout) implements Serializable {}
