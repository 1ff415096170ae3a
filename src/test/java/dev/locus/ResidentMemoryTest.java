package dev.locus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResidentMemoryTest {
    @Test
    void readsTheKernelsFiguresInBytes() {
        ResidentMemory m = ResidentMemory.parse(List.of("Name:\tjava", "VmPeak:\t 9000 kB", "VmHWM:\t    4000 kB",
                "VmRSS:\t    3000 kB", "RssAnon:\t    1000 kB", "RssFile:\t    1900 kB", "RssShmem:\t     100 kB", "Threads:\t7"));
        assertEquals(new ResidentMemory(4000 * 1024L, 3000 * 1024L, 1000 * 1024L, 1900 * 1024L), m);
        assertThat(ResidentMemory.parse(List.of("Name:\tjava")).anonymousBytes()).isEqualTo(-1);
    }

    @Test
    void thisProcessHoldsAnonymousMemoryAndItsPeakIsAtLeastWhatItHoldsNow() {
        ResidentMemory now = ResidentMemory.now();
        assertThat(now.anonymousBytes()).isPositive();
        assertThat(now.peakBytes()).isGreaterThanOrEqualTo(now.residentBytes());
        assertThat(now.residentBytes()).isGreaterThanOrEqualTo(now.anonymousBytes());
    }
}
