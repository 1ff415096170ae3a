package dev.locus.claims;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.locus.JsonFiles;
import dev.locus.LocusException;
import dev.locus.Provenance;
import dev.locus.measure.Measurement;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Everything a reproduction found, as {@code results.json} holds it: the command that reproduces
 * it, the claims with the gain, the expectations held to, every measured number per pair and
 * layer, and the provenance, once. A function of the inputs alone (timings go elsewhere), so a run
 * and its reproduction give the same bytes, and a later run can be compared with it.
 *
 * @param resultsVersion the schema of this file; a file of another version is refused, not misread
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties({"baseline"})
public record Results(int resultsVersion, String command, boolean allAsExpected, Claims claims, Expectations expectations,
        Measurement measurement, Provenance provenance) {

    public static final int VERSION = 4;
    public static final String FILE = "results.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    public static Results of(String command, Provenance provenance, Measurement measurement, Expectations expectations) {
        Claims claims = Claims.evaluate(measurement, expectations);
        return new Results(VERSION, command, claims.allAsExpected(), claims, expectations, measurement, provenance);
    }

    /** The {@code results.json} of a run folder, or that file itself. */
    public static Path fileOf(Path runOrFile) {
        return Files.isDirectory(runOrFile) ? runOrFile.resolve(FILE) : runOrFile;
    }

    /**
     * Reads a run's results back into the same records: {@code runOrFile} is a run folder or its
     * {@code results.json}. Anything else (no such file, not JSON, another schema version, a field
     * that does not fit) is refused naming the file and the field.
     */
    public static Results read(Path runOrFile) {
        Path file = fileOf(runOrFile);
        if (!Files.isRegularFile(file)) {
            throw new LocusException(file, "(file)", "no such results file: give a run folder of bin/locus reproduce "
                    + "(or of mvn verify, target/claims) or its " + FILE);
        }
        JsonNode tree = JsonFiles.object(JSON, file, LocusException::new);
        JsonNode version = tree.get("results_version");
        if (version == null || !version.canConvertToInt() || version.intValue() != VERSION) {
            throw new LocusException(file, "results_version", (version == null ? "absent" : "is " + version) + ", this locus reads "
                    + VERSION + ": results written by another locus version; run bin/locus reproduce again with this one");
        }
        try {
            return JSON.treeToValue(tree, Results.class);
        } catch (JsonMappingException e) {
            throw new LocusException(file, JsonFiles.field(e, "(json)"), e.getOriginalMessage().split("\n")[0]);
        } catch (JsonProcessingException e) {
            throw new LocusException(file, "(json)", e.getOriginalMessage());
        }
    }
}
