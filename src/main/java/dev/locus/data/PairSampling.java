package dev.locus.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded, subset-stratified sampling and fit / held-out splits. The result is a function of
 * (pairs, n or fraction, seed) alone; each subset gets its share of n by largest remainder, and
 * pairs are returned in file order.
 */
public final class PairSampling {
    public static final int DEFAULT_PAIRS = 80;

    /** A fit set and a held-out set with no pair in both. */
    public record Split(List<PreferencePair> fit, List<PreferencePair> heldOut) {}

    private PairSampling() {}

    public static List<PreferencePair> stratified(List<PreferencePair> pairs, int n, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException("sample size must be positive, found " + n);
        }
        if (n >= pairs.size()) {
            return List.copyOf(pairs);
        }
        Map<String, List<Integer>> bySubset = bySubset(pairs);
        int[] quota = quotas(bySubset, n, pairs.size());
        List<Integer> chosen = new ArrayList<>();
        int s = 0;
        for (Map.Entry<String, List<Integer>> subset : bySubset.entrySet()) {
            List<Integer> members = new ArrayList<>(subset.getValue());
            Collections.shuffle(members, new Random(seed * 1_000_003L + subset.getKey().hashCode()));
            chosen.addAll(members.subList(0, quota[s++]));
        }
        Collections.sort(chosen);
        return chosen.stream().map(pairs::get).toList();
    }

    /** Holds out {@code heldOutFraction} of each subset (at least one pair per non-empty side). */
    public static Split split(List<PreferencePair> pairs, double heldOutFraction, long seed) {
        if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException("held-out fraction must be in (0, 1), found " + heldOutFraction);
        }
        if (pairs.size() < 2) {
            throw new IllegalArgumentException("a split needs at least two pairs, found " + pairs.size());
        }
        int heldOutCount = (int) Math.max(1, Math.min(pairs.size() - 1, Math.round(heldOutFraction * pairs.size())));
        List<PreferencePair> heldOut = stratified(pairs, heldOutCount, seed ^ 0x5EED_5EEDL);
        java.util.Set<PreferencePair> held = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        held.addAll(heldOut);
        List<PreferencePair> fit = pairs.stream().filter(p -> !held.contains(p)).toList();
        return new Split(fit, heldOut);
    }

    private static Map<String, List<Integer>> bySubset(List<PreferencePair> pairs) {
        Map<String, List<Integer>> bySubset = new LinkedHashMap<>();
        for (int i = 0; i < pairs.size(); i++) {
            String subset = pairs.get(i).subset() == null ? "" : pairs.get(i).subset();
            bySubset.computeIfAbsent(subset, k -> new ArrayList<>()).add(i);
        }
        return bySubset;
    }

    private static int[] quotas(Map<String, List<Integer>> bySubset, int n, int total) {
        int[] quota = new int[bySubset.size()];
        double[] remainder = new double[quota.length];
        int assigned = 0;
        int s = 0;
        for (List<Integer> members : bySubset.values()) {
            double exact = (double) n * members.size() / total;
            quota[s] = (int) Math.floor(exact);
            remainder[s] = exact - quota[s];
            assigned += quota[s++];
        }
        while (assigned < n) {
            int best = 0;
            for (int i = 1; i < quota.length; i++) {
                if (remainder[i] > remainder[best]) {
                    best = i;
                }
            }
            quota[best]++;
            remainder[best] = -1;
            assigned++;
        }
        return quota;
    }
}
