package dev.locus.claims;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locus.LocusException;
import dev.locus.Provenance;
import dev.locus.TestFixtures;
import dev.locus.measure.Measurement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** results.json reads back into the records it was written from, and a file it cannot read is refused by name. */
class ResultsTest {
    private static final Expectations EXPECTATIONS = Expectations.read(Path.of("expectations/fixture-localized.yaml"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Results results() {
        Measurement m = HandMade.measurement(new Random(11), EXPECTATIONS);
        Provenance p = Provenance.of("test").seed(1).file("pairs", TestFixtures.SHIPPED_PAIRS).config("site", "block_out").build();
        return Results.of("bin/locus reproduce --out NEW_RUN_FOLDER", p, m, EXPECTATIONS);
    }

    @Test
    void writtenResultsReadBackToTheSameNumbers() throws IOException {
        Results written = results();
        Path file = tmp.resolve(Results.FILE);
        Files.writeString(file, JSON.writeValueAsString(written));
        Results read = Results.read(tmp);
        assertEquals(JSON.writeValueAsString(written), JSON.writeValueAsString(read));
        assertEquals(written.expectations(), read.expectations());
        assertThat(read.claims().of(AsymmetryClaim.UNIT).layers()).isEqualTo(written.claims().of(AsymmetryClaim.UNIT).layers());
        assertThat(read.measurement().doseAndControls().dose()).usingRecursiveComparison().isEqualTo(written.measurement().doseAndControls().dose());
    }

    @Test
    void anotherSchemaVersionOrAMissingFileIsRefusedByName() throws IOException {
        Path old = tmp.resolve("old.json");
        Files.writeString(old, "{\"command\": \"bin/locus reproduce\", \"asymmetry\": {}}");
        LocusException e = assertThrows(LocusException.class, () -> Results.read(old));
        assertEquals("results_version", e.field());
        assertThat(e.getMessage()).contains(old.toString(), "absent");
        assertThat(assertThrows(LocusException.class, () -> Results.read(tmp.resolve("no-run"))).getMessage())
                .contains(tmp.resolve("no-run").toString(), "no such results file");
        Path broken = tmp.resolve("broken.json");
        Files.writeString(broken, "{\"results_version\": " + Results.VERSION + ", \"claims\": 7}");
        assertEquals("claims", assertThrows(LocusException.class, () -> Results.read(broken)).field());
    }
}
