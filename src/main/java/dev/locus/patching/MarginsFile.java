package dev.locus.patching;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.LocusException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSONL of {@link PairMargins}, one line per pair, written as each pair finishes (flushed, so a
 * failure later keeps every line already written) and read back into the same records. A role's
 * margin is four numbers: {@code ROLE_margin}, {@code ROLE_mean_margin} (per-token means) and the
 * sums {@code ROLE_chosen_logprob}, {@code ROLE_rejected_logprob} with the token counts they need.
 */
public final class MarginsFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] ROLES = {"recipient", "donor", "patched"};

    private MarginsFile() {}

    /** Appends lines to a new file. */
    public static final class Writer implements Closeable {
        private final BufferedWriter out;

        private Writer(BufferedWriter out) {
            this.out = out;
        }

        public void write(PairMargins line) {
            try {
                out.write(JSON.writeValueAsString(toJson(line)));
                out.newLine();
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    public static Writer create(Path file) throws IOException {
        return new Writer(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    }

    static ObjectNode toJson(PairMargins line) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", line.id());
        if (line instanceof SkippedPair s) {
            return node.put("skipped", s.reason());
        }
        PairMargins.Measured m = (PairMargins.Measured) line;
        node.put("prompt_tokens", m.promptTokens());
        node.put("chosen_tokens", m.chosenTokens());
        node.put("rejected_tokens", m.rejectedTokens());
        Margin[] margins = {m.recipient(), m.donor(), m.patched()};
        for (int r = 0; r < ROLES.length; r++) {
            if (margins[r] != null) {
                node.put(ROLES[r] + "_margin", margins[r].margin());
                node.put(ROLES[r] + "_mean_margin", margins[r].meanMargin());
                node.put(ROLES[r] + "_chosen_logprob", margins[r].chosenSum());
                node.put(ROLES[r] + "_rejected_logprob", margins[r].rejectedSum());
            }
        }
        if (m.patchedAt() != null) {
            node.set("intervention", JSON.valueToTree(m.patchedAt()));
        }
        return node;
    }

    public static List<PairMargins> read(Path file) {
        List<PairMargins> lines = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = in.readLine()) != null) {
                line++;
                if (!text.isBlank()) {
                    lines.add(parse(file, line, text));
                }
            }
        } catch (IOException e) {
            throw new LocusException(file, "(file)", "cannot read: " + e.getMessage());
        }
        return lines;
    }

    private static PairMargins parse(Path file, int line, String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new LocusException(file, "line " + line, "not valid JSON: " + e.getOriginalMessage());
        }
        String id = field(file, line, node, "id").asText();
        if (node.has("skipped")) {
            return new SkippedPair(id, node.get("skipped").asText());
        }
        int prompt = field(file, line, node, "prompt_tokens").intValue();
        int chosen = field(file, line, node, "chosen_tokens").intValue();
        int rejected = field(file, line, node, "rejected_tokens").intValue();
        Margin[] margins = new Margin[ROLES.length];
        for (int r = 0; r < ROLES.length; r++) {
            if (node.has(ROLES[r] + "_margin")) {
                margins[r] = new Margin(field(file, line, node, ROLES[r] + "_chosen_logprob").doubleValue(), chosen,
                        field(file, line, node, ROLES[r] + "_rejected_logprob").doubleValue(), rejected);
            }
        }
        if (margins[0] == null) {
            throw new LocusException(file, "line " + line + ": recipient_margin", "missing");
        }
        PairMargins.PatchedAt at = null;
        if (node.has("intervention")) {
            try {
                at = JSON.treeToValue(node.get("intervention"), PairMargins.PatchedAt.class);
            } catch (JsonProcessingException e) {
                throw new LocusException(file, "line " + line + ": intervention", e.getOriginalMessage());
            }
        }
        return new PairMargins.Measured(id, prompt, chosen, rejected, margins[0], margins[1], margins[2], at);
    }

    private static JsonNode field(Path file, int line, JsonNode node, String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new LocusException(file, "line " + line + ": " + name, "missing");
        }
        if (!name.equals("id") && !v.isNumber()) {
            throw new LocusException(file, "line " + line + ": " + name, "expected a number, found " + v);
        }
        return v;
    }
}
