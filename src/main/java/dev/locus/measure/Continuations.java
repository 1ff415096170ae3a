package dev.locus.measure;

import java.io.Serializable;

/**
 * One pair's prompt continued greedily, as token ids: by the base, by the base with the steering
 * vector added with weight 1 (the measured difference itself), and by the tuned model.
 */
public record Continuations(int[] base, int[] steered, int[] tuned) implements Serializable {}
