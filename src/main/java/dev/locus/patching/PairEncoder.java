package dev.locus.patching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locus.LocusException;
import dev.locus.data.PreferencePair;
import dev.locus.model.LlamaConfig;
import dev.locus.model.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a preference pair into token ids the way lm-evaluation-harness scores a continuation:
 * the context (prompt) with BOS, each continuation without special tokens, concatenated; in the raw
 * format trailing whitespace of the context moves to the continuations. A pair that does not fit the limit, or
 * whose tokens do not decode back to its text, is skipped with the reason, never truncated.
 */
public final class PairEncoder {
    /** {@code raw}: the HH transcript as given; {@code chat}: the Llama-3 chat template's header format. */
    public enum Format {
        RAW,
        CHAT;

        public static Format parse(String name) {
            try {
                return valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--format: expected raw or chat, found \"" + name + "\"");
            }
        }
    }

    /** What encoding a pair gave: token ids, or the reason it is skipped. */
    public sealed interface Encoded permits Ok, SkippedPair {
        String id();
    }

    public record Ok(String id, Prompted tokens) implements Encoded {}

    public static final String CONFIG_FILE = "tokenizer_config.json";
    private static final Pattern TURN = Pattern.compile("\n\n(Human|Assistant):");

    private final Tokenizer tokenizer;
    private final Integer bosId;
    private final Format format;
    private final int maxTokens;

    public PairEncoder(Tokenizer tokenizer, Integer bosId, Format format, int maxTokens, Path checkpointDir) {
        if (maxTokens < 2) {
            throw new IllegalArgumentException("--max-tokens must be at least 2, found " + maxTokens);
        }
        if (format == Format.CHAT) {
            requireLlama3ChatTemplate(checkpointDir);
        }
        this.tokenizer = tokenizer;
        this.bosId = bosId;
        this.format = format;
        this.maxTokens = maxTokens;
    }

    /**
     * Each pair encoded with the checkpoint's {@code tokenizer.json} and BOS, in input order: its
     * tokens, or why it is skipped. Pairs longer than {@code maxTokens} are skipped, never cut.
     */
    public static List<Encoded> encodeAll(Path checkpointDir, LlamaConfig config, Format format, int maxTokens,
            List<PreferencePair> pairs) {
        try (Tokenizer tokenizer = Tokenizer.load(checkpointDir)) {
            PairEncoder encoder = new PairEncoder(tokenizer, config.bosTokenId(), format, maxTokens, checkpointDir);
            return pairs.stream().map(encoder::encode).toList();
        }
    }

    public Encoded encode(PreferencePair pair) {
        String context = format == Format.CHAT ? chatContext(pair.prompt()) : pair.prompt();
        String chosen = format == Format.CHAT ? pair.chosen().strip() : pair.chosen();
        String rejected = format == Format.CHAT ? pair.rejected().strip() : pair.rejected();
        if (format == Format.RAW) {
            String trailing = context.substring(context.stripTrailing().length());
            context = context.stripTrailing();
            chosen = trailing + chosen;
            rejected = trailing + rejected;
        }

        int[] contextIds = tokenizer.encode(context);
        int[] chosenIds = tokenizer.encode(chosen);
        int[] rejectedIds = tokenizer.encode(rejected);
        if (chosenIds.length == 0 || rejectedIds.length == 0) {
            return new SkippedPair(pair.id(), "a completion encodes to no tokens");
        }
        for (String[] part : new String[][] {{context, "prompt"}, {chosen, "chosen"}, {rejected, "rejected"}}) {
            int[] ids = part[1].equals("prompt") ? contextIds : part[1].equals("chosen") ? chosenIds : rejectedIds;
            if (!tokenizer.decode(ids).equals(part[0])) {
                return new SkippedPair(pair.id(), "the " + part[1] + " tokens do not decode back to its text");
            }
        }
        boolean addBos = bosId != null && format == Format.RAW;
        int[] prompt = new int[contextIds.length + (addBos ? 1 : 0)];
        if (addBos) {
            prompt[0] = bosId;
        }
        System.arraycopy(contextIds, 0, prompt, addBos ? 1 : 0, contextIds.length);
        if (prompt.length == 0) {
            return new SkippedPair(pair.id(), "empty prompt and no BOS token to read the first completion token at");
        }
        int longest = prompt.length + Math.max(chosenIds.length, rejectedIds.length);
        if (longest > maxTokens) {
            return new SkippedPair(pair.id(), "too long: " + longest + " tokens > limit " + maxTokens);
        }
        return new Ok(pair.id(), new Prompted(pair.id(), prompt, List.of(chosenIds, rejectedIds)));
    }

    /**
     * The Llama-3 header format for an HH transcript: BOS, then each turn as
     * {@code <|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>}, then the assistant
     * header the completion continues.
     */
    static String chatContext(String transcript) {
        List<String[]> turns = new ArrayList<>();
        Matcher m = TURN.matcher(transcript);
        int contentStart = -1;
        String role = null;
        while (m.find()) {
            if (role != null) {
                turns.add(new String[] {role, transcript.substring(contentStart, m.start()).strip()});
            }
            role = m.group(1).equals("Human") ? "user" : "assistant";
            contentStart = m.end();
        }
        if (role == null || !role.equals("assistant") || !transcript.substring(contentStart).isBlank()) {
            throw new IllegalArgumentException("chat format needs an HH transcript ending in \"\\n\\nAssistant:\"");
        }
        StringBuilder out = new StringBuilder("<|begin_of_text|>");
        for (String[] turn : turns) {
            out.append("<|start_header_id|>").append(turn[0]).append("<|end_header_id|>\n\n").append(turn[1]).append("<|eot_id|>");
        }
        return out.append("<|start_header_id|>assistant<|end_header_id|>\n\n").toString();
    }

    private static void requireLlama3ChatTemplate(Path dir) {
        Path file = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            throw new LocusException(file, "chat_template", "the checkpoint has no tokenizer_config.json, so no chat template: use --format raw");
        }
        JsonNode template;
        try {
            template = new ObjectMapper().readTree(file.toFile()).get("chat_template");
        } catch (IOException e) {
            throw new LocusException(file, "(json)", "not valid JSON: " + e.getMessage());
        }
        if (template == null || !template.isTextual()) {
            throw new LocusException(file, "chat_template", "absent: the checkpoint has no chat template, use --format raw");
        }
        if (!template.asText().contains("<|start_header_id|>") || !template.asText().contains("<|eot_id|>")) {
            throw new LocusException(file, "chat_template",
                    "not a Llama-3 header template; locus renders only that format (use --format raw)");
        }
    }
}
