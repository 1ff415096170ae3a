package dev.locus.model;

import ai.djl.ndarray.NDArray;

/**
 * One run of a stacked batch: blocks {@code fromLayer..N-1} on {@code residPre} (the input of
 * block {@code fromLayer}), its rows placed by {@code packing}, attending to {@code prefix}'s
 * cached keys and values (null: the rows start the sequence).
 */
public record BlockRun(NDArray residPre, int fromLayer, KvCache prefix, Packing packing) {}
