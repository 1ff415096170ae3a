package dev.locus.measure;

import java.io.Serializable;
import java.util.List;

/**
 * One pair's prompt continued greedily, as token ids: by the base, by the base with the steering
 * vector at each weight of the protocol (in its order), and by the tuned model.
 */
public record Continuations(int[] base, List<int[]> steered, int[] tuned) implements Serializable {}
