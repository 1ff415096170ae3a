package dev.locus.claims;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locus.measure.Measurement;
import dev.locus.fixtures.Fixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClaimsTest {
    private static final Path LOCALIZED = Path.of("expectations/fixture-localized.yaml");

    /**
     * A gate that cannot fail proves nothing: the diffuse fixture, held to the localized fixture's
     * expectations, misses them, and each miss names the claim, the number and the threshold.
     */
    @Test
    void diffuseAgainstLocalizedExpectationsNamesWhatFailed() {
        Measurement m = ClaimSubjects.evaluated(ClaimSubjects.fixture(Fixture.Kind.DIFFUSE)).measurement();
        List<String> mismatches = Claims.evaluate(m, Expectations.read(LOCALIZED)).all().stream().filter(r -> !r.asExpected())
                .map(ClaimResult::mismatch).toList();
        System.err.println("locus claims: diffuse held to fixture-localized.yaml: " + mismatches);
        assertThat(mismatches).anySatisfy(s -> assertThat(s).startsWith("low_rank: expected holds, found fails: ").contains("misses"));
        assertThat(mismatches).anySatisfy(s -> assertThat(s).startsWith("sparse_attribution: expected holds, found fails: ").contains("misses"));
    }

    @Test
    void thePapersFourClaimsComeFirstInItsOrderThenAnyOther() {
        Claims claims = ClaimSubjects.evaluated(ClaimSubjects.fixture(Fixture.Kind.LOCALIZED)).claims();
        assertThat(claims.all()).extracting(ClaimResult::claim).containsExactlyElementsOf(Claims.ALL.stream().map(Claim::name).toList())
                .startsWith(AsymmetryClaim.NAME, DoseResponseClaim.NAME, LowRankClaim.NAME, SparseAttributionClaim.NAME);
        assertThat(claims.named(LowRankClaim.NAME)).isSameAs(claims.of(LowRankClaim.UNIT));
    }
}
