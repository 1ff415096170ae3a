package dev.locus.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSONL file of {@code {"id", "prompt", "chosen", "rejected", "subset"?}} objects, one per line.
 * Refuses, naming the line and field: broken JSON, a missing or non-string field, an empty or
 * whitespace-only completion, identical completions, a duplicate id. Blank lines are skipped.
 */
public final class PairsFile {
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private PairsFile() {}

    public static List<PreferencePair> load(Path file) {
        List<PreferencePair> pairs = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PairsFormatException(file, 0, "", "cannot read: " + e.getMessage());
        }
        int line = 0;
        for (int start = 0; start < bytes.length; ) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            line++;
            String text = decode(file, line, bytes, start, end);
            start = end + 1;
            if (text.isBlank()) {
                continue;
            }
            PreferencePair pair = parse(file, line, text);
            Integer first = seen.putIfAbsent(pair.id(), line);
            if (first != null) {
                throw new PairsFormatException(file, line, "id", "duplicate id \"" + pair.id() + "\", first on line " + first);
            }
            pairs.add(pair);
        }
        if (pairs.isEmpty()) {
            throw new PairsFormatException(file, 0, "", "no pairs in the file");
        }
        return pairs;
    }

    /** One line's bytes as UTF-8; bytes that are not are refused by their line (decoded line by line, so the number is exact). */
    private static String decode(Path file, int line, byte[] bytes, int start, int end) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, start, end - start)).toString();
        } catch (CharacterCodingException e) {
            throw new PairsFormatException(file, line, "", "not UTF-8 text (" + e.getMessage() + ")");
        }
    }

    private static PreferencePair parse(Path file, int line, String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new PairsFormatException(file, line, "", "not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new PairsFormatException(file, line, "", "expected a JSON object");
        }
        String id = text(file, line, node, "id", true);
        String prompt = text(file, line, node, "prompt", true);
        String chosen = completion(file, line, node, "chosen");
        String rejected = completion(file, line, node, "rejected");
        if (chosen.equals(rejected)) {
            throw new PairsFormatException(file, line, "rejected", "identical to chosen: the pair prefers nothing");
        }
        String subset = node.hasNonNull("subset") ? text(file, line, node, "subset", false) : null;
        return new PreferencePair(id, subset, prompt, chosen, rejected);
    }

    private static String completion(Path file, int line, JsonNode node, String field) {
        String value = text(file, line, node, field, true);
        if (value.isBlank()) {
            throw new PairsFormatException(file, line, field, "empty completion");
        }
        return value;
    }

    private static String text(Path file, int line, JsonNode node, String field, boolean nonEmpty) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new PairsFormatException(file, line, field, "missing");
        }
        if (!v.isTextual()) {
            throw new PairsFormatException(file, line, field, "expected a string, found " + v.getNodeType().name().toLowerCase());
        }
        if (nonEmpty && v.asText().isEmpty()) {
            throw new PairsFormatException(file, line, field, "empty");
        }
        return v.asText();
    }
}
