package dev.locus.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PairSamplingTest {
    private static final List<PreferencePair> HH = PairsFile.load(PairsFileTest.HH);
    private static final List<PreferencePair> HHH = PairsFile.load(PairsFileTest.HHH);

    private static Map<String, Long> subsets(List<PreferencePair> pairs) {
        return pairs.stream().collect(Collectors.groupingBy(PreferencePair::subset, Collectors.counting()));
    }

    private static List<String> ids(List<PreferencePair> pairs) {
        return pairs.stream().map(PreferencePair::id).toList();
    }

    @Test
    void defaultSampleIsStratifiedAndSeeded() {
        List<PreferencePair> a = PairSampling.stratified(HH, PairSampling.DEFAULT_PAIRS, 1);
        assertEquals(80, a.size());
        assertEquals(Map.of("helpful-base", 40L, "harmless-base", 40L), subsets(a));
        assertEquals(ids(a), ids(PairSampling.stratified(HH, 80, 1)));
        assertNotEquals(ids(a), ids(PairSampling.stratified(HH, 80, 2)));
        assertEquals(80, new HashSet<>(ids(a)).size());
    }

    @Test
    void unevenSubsetsGetProportionalShares() {
        Map<String, Long> counts = subsets(PairSampling.stratified(HHH, 40, 3));
        // 58 / 59 / 61 / 43 of 221 -> 10.5 / 10.7 / 11.0 / 7.8 of 40, largest remainders first.
        assertEquals(Map.of("harmless", 10L, "helpful", 11L, "honest", 11L, "other", 8L), counts);
    }

    @Test
    void splitIsDisjointCompleteAndStratified() {
        List<PreferencePair> sample = PairSampling.stratified(HH, 80, 5);
        PairSampling.Split split = PairSampling.split(sample, 0.25, 9);
        Set<String> fit = new HashSet<>(ids(split.fit()));
        Set<String> held = new HashSet<>(ids(split.heldOut()));
        assertEquals(20, held.size());
        assertEquals(60, fit.size());
        assertThat(fit).doesNotContainAnyElementsOf(held);
        assertEquals(Map.of("helpful-base", 10L, "harmless-base", 10L), subsets(split.heldOut()));
        assertEquals(ids(split.heldOut()), ids(PairSampling.split(sample, 0.25, 9).heldOut()));
    }

    @Test
    void aSampleAsLargeAsTheFileIsTheFile() {
        assertEquals(ids(HHH), ids(PairSampling.stratified(HHH, 1000, 1)));
    }
}
