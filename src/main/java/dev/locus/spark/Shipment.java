package dev.locus.spark;

import dev.locus.patching.Prompted;
import java.io.Serializable;
import java.util.List;

/** What every task of a run reads, broadcast once per run: the plan's encoded pairs, its split, the checkpoints. */
record Shipment(List<Prompted> pairs, boolean[] heldOut, Checkpoints checkpoints) implements Serializable {}
