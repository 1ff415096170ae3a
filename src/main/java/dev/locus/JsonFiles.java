package dev.locus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Reading a JSON (or YAML) input file so that every refusal names the file and the field. */
public final class JsonFiles {
    /** The typed exception a stage throws for bad input ({@link LocusException} or a subtype). */
    @FunctionalInterface
    public interface Refusal {
        RuntimeException of(Path file, String field, String reason);
    }

    private JsonFiles() {}

    /** The file's top-level object: unreadable, not JSON, or not an object is refused. */
    public static JsonNode object(ObjectMapper mapper, Path file, Refusal refusal) {
        JsonNode root;
        try {
            root = mapper.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw refusal.of(file, "(json)", "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw refusal.of(file, "(file)", "cannot read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw refusal.of(file, "(json)", "expected a JSON object");
        }
        return root;
    }

    /** Where a mapping error sits, as results and expectations name fields: {@code a.b[2].c}, or {@code fallback} at the top. */
    public static String field(JsonMappingException e, String fallback) {
        String path = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        return path.isEmpty() ? fallback : path;
    }
}
