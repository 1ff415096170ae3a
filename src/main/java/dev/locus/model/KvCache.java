package dev.locus.model;

import ai.djl.ndarray.NDArray;

/**
 * Keys and values (after RoPE) of a run's positions at every layer, so a continuation can attend
 * to a prefix without recomputing it: a preference pair's shared prompt runs once for both
 * completions. Arrays are {@code [kv_heads][length][head_dim]} and live in the run's NDManager.
 */
public final class KvCache {
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int length;

    /** @param length positions the cache covers (the prefix length a continuation starts at) */
    public KvCache(int layers, int length) {
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.length = length;
    }

    public int length() {
        return length;
    }

    void put(int layer, NDArray k, NDArray v) {
        keys[layer] = k;
        values[layer] = v;
    }

    /** The first {@code positions} positions of this cache (views, no copy): a prompt's part of a packed run. */
    public KvCache prefix(int positions) {
        if (positions > length) {
            throw new IllegalArgumentException(positions + " positions of a " + length + "-position cache");
        }
        KvCache out = new KvCache(keys.length, positions);
        String first = ":, :" + positions + ", :";
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) {
                out.put(l, keys[l].get(first), values[l].get(first));
            }
        }
        return out;
    }

    /** This cache followed by {@code next}'s positions: the cache a continuation of both attends to. */
    public KvCache followedBy(KvCache next) {
        KvCache out = new KvCache(keys.length, length + next.length);
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null && next.keys[l] != null) {
                out.put(l, keys[l].concat(next.keys[l], 1), values[l].concat(next.values[l], 1));
            }
        }
        return out;
    }

    NDArray keys(int layer) {
        return require(keys, layer);
    }

    NDArray values(int layer) {
        return require(values, layer);
    }

    private NDArray require(NDArray[] arrays, int layer) {
        if (arrays[layer] == null) {
            throw new IllegalStateException("the prefix cache holds no keys/values for layer " + layer);
        }
        return arrays[layer];
    }
}
