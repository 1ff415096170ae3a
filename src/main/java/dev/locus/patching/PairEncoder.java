package dev.locus.patching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locus.LocusException;
import dev.locus.data.PreferencePair;
import dev.locus.model.Checkpoint;
import dev.locus.model.DecoderConfig;
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
 * the context (prompt) with BOS where its tokenizer adds one ({@link #bos}), each continuation
 * without special tokens, concatenated; in the raw format trailing whitespace of the context moves
 * to the continuations. A pair that does not fit the limit, or whose tokens do not decode back to
 * its text, is skipped with the reason, never truncated.
 */
public final class PairEncoder {
    /** {@code raw}: the HH transcript as given; {@code chat}: rendered in the checkpoint's chat template ({@link ChatTemplate}). */
    public enum Format {
        RAW,
        CHAT;

        public static Format parse(String name) {
            try {
                return valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("expected raw or chat, found \"" + name + "\"");
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
    private final ChatTemplate.Known chat;

    public PairEncoder(Tokenizer tokenizer, Integer bosId, Format format, int maxTokens, Path checkpointDir) {
        if (maxTokens < 2) {
            throw new IllegalArgumentException("--max-tokens must be at least 2, found " + maxTokens);
        }
        this.chat = format == Format.CHAT ? requireKnownChatTemplate(checkpointDir, tokenizer) : null;
        this.tokenizer = tokenizer;
        this.bosId = bosId;
        this.format = format;
        this.maxTokens = maxTokens;
    }

    /**
     * Each pair encoded with the checkpoint's {@code tokenizer.json} and BOS, in input order: its
     * tokens, or why it is skipped. Pairs longer than {@code maxTokens} are skipped, never cut.
     */
    public static List<Encoded> encodeAll(Path checkpointDir, DecoderConfig config, Format format, int maxTokens,
            List<PreferencePair> pairs) {
        try (Tokenizer tokenizer = Tokenizer.load(checkpointDir)) {
            PairEncoder encoder = new PairEncoder(tokenizer, bos(checkpointDir, config), format, maxTokens, checkpointDir);
            return pairs.stream().map(encoder::encode).toList();
        }
    }

    /**
     * The token a raw prompt starts with, as the checkpoint's tokenizer adds it: the special token
     * its {@code tokenizer.json} post-processor's template puts before a single sequence (none if
     * the template starts with the sequence); without a template, the config's
     * {@code bos_token_id} where the family prepends one ({@link dev.locus.model.Family#addsBos}).
     * Released Llama-3.2, Mistral and Gemma-2 tokenizers name BOS in a template, Qwen2's have none
     * and get none; then a pair with an empty prompt is skipped (nothing to read the first
     * completion token at).
     */
    public static Integer bos(Path checkpointDir, DecoderConfig config) {
        Path file = checkpointDir.resolve(Checkpoint.TOKENIZER_FILE);
        JsonNode post;
        try {
            post = new ObjectMapper().readTree(file.toFile()).path("post_processor");
        } catch (IOException e) {
            throw new LocusException(file, "(json)", "not valid JSON: " + e.getMessage());
        }
        List<JsonNode> steps = new ArrayList<>();
        if ("Sequence".equals(post.path("type").asText())) {
            post.path("processors").forEach(steps::add);
        } else {
            steps.add(post);
        }
        for (JsonNode step : steps) {
            if ("TemplateProcessing".equals(step.path("type").asText())) {
                JsonNode first = step.path("single").path(0).path("SpecialToken");
                if (first.isMissingNode()) {
                    return null;
                }
                JsonNode ids = step.path("special_tokens").path(first.path("id").asText()).path("ids");
                if (ids.size() != 1 || !ids.get(0).canConvertToInt()) {
                    throw new LocusException(file, "post_processor.special_tokens." + first.path("id").asText() + ".ids",
                            "the template's first token must name one id, found " + ids);
                }
                return ids.get(0).asInt();
            }
        }
        return config.family().addsBos() ? config.bosTokenId() : null;
    }

    public Encoded encode(PreferencePair pair) {
        String context = format == Format.CHAT ? chat.template().render(turns(pair.prompt()), chat.defaultSystem()) : pair.prompt();
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
        int[] prompt = withBos(contextIds);
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
     * A prompt's token ids as a pair's prompt is encoded: the chat template's rendering of an HH
     * transcript, or the raw text without its trailing whitespace after BOS.
     */
    public int[] promptIds(String prompt) {
        String context = format == Format.CHAT ? chat.template().render(turns(prompt), chat.defaultSystem()) : prompt.stripTrailing();
        return withBos(tokenizer.encode(context));
    }

    /** The tokenizer of the checkpoint, to read ids back as text. */
    public String decode(int[] ids) {
        return tokenizer.decode(ids);
    }

    private int[] withBos(int[] contextIds) {
        boolean addBos = bosId != null && format == Format.RAW;
        int[] prompt = new int[contextIds.length + (addBos ? 1 : 0)];
        if (addBos) {
            prompt[0] = bosId;
        }
        System.arraycopy(contextIds, 0, prompt, addBos ? 1 : 0, contextIds.length);
        return prompt;
    }

    /** An HH transcript's turns, as (role, content) with roles "user" and "assistant", ending before the assistant's reply. */
    static List<String[]> turns(String transcript) {
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
        return turns;
    }

    /** The Llama-3 rendering of an HH transcript (see {@link ChatTemplate#LLAMA3}). */
    static String chatContext(String transcript) {
        return ChatTemplate.LLAMA3.render(turns(transcript), null);
    }

    private static ChatTemplate.Known requireKnownChatTemplate(Path dir, Tokenizer tokenizer) {
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
        ChatTemplate.Known known = ChatTemplate.recognise(template.asText());
        if (known == null) {
            throw new LocusException(file, "chat_template", "not a template locus renders (Llama-3 headers, ChatML, Gemma turns or "
                    + "Mistral's [INST] with a space before [/INST]); use --format raw");
        }
        for (String marker : known.template().specialTokens()) {
            if (tokenizer.encode(marker).length != 1) {
                throw new LocusException(dir.resolve(Checkpoint.TOKENIZER_FILE), "added_tokens",
                        "the " + known.template().label() + " chat template's " + marker + " is not one token in this tokenizer");
            }
        }
        return known;
    }
}
