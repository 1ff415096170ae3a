package dev.locus.claims;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.Provenance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes one claim's result on its own as {@code DIR/<claim>.json}, whole or not at all (written
 * aside, then moved into place). Standing alone, the file carries the run's gain and provenance
 * beside the claim's own fields.
 */
public final class ClaimResults {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ClaimResults() {}

    public static Path write(Path dir, ClaimResult result, Gain gain, Provenance provenance) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(result.claim() + ".json");
            Path partial = dir.resolve(result.claim() + ".json.partial");
            Files.writeString(partial, json(result, gain, provenance) + "\n");
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the " + result.claim() + " result under " + dir, e);
        }
    }

    public static String json(ClaimResult result, Gain gain, Provenance provenance) {
        ObjectNode node = JSON.valueToTree(result);
        node.set("gain", JSON.valueToTree(gain));
        node.set("provenance", JSON.valueToTree(provenance));
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
