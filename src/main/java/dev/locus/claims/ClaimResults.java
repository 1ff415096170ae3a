package dev.locus.claims;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes a claim's result as {@code DIR/<claim>.json}, whole or not at all (written aside, then moved into place). */
public final class ClaimResults {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ClaimResults() {}

    public static Path write(Path dir, ClaimResult result) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(result.claim() + ".json");
            Path partial = dir.resolve(result.claim() + ".json.partial");
            Files.writeString(partial, json(result) + "\n");
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the " + result.claim() + " result under " + dir, e);
        }
    }

    public static String json(ClaimResult result) {
        try {
            return JSON.writeValueAsString(result);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
