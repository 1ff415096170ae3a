package dev.locus.patching;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chat formats {@code --format chat} renders, each recognised by its markers in
 * tokenizer_config.json's {@code chat_template} and written out as that template writes a
 * conversation followed by the prompt for the assistant's reply (HF's
 * {@code add_generation_prompt=True}). A hand rendering, not a Jinja engine: the template is
 * recognised, not executed, so a template that renders these markers differently is refused.
 */
enum ChatTemplate {
    /** Llama-3: BOS, then {@code <|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>} per turn. */
    LLAMA3("Llama-3", List.of("<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>")),
    /**
     * ChatML (Qwen2, Qwen2.5): {@code <|im_start|>role\ncontent<|im_end|>\n} per turn, no BOS; the
     * default system turn the template writes when the conversation has none is written too.
     */
    CHATML("ChatML", List.of("<|im_start|>", "<|im_end|>")),
    /** Gemma: BOS, then {@code <start_of_turn>user|model\ncontent<end_of_turn>\n} per turn. */
    GEMMA("Gemma", List.of("<bos>", "<start_of_turn>", "<end_of_turn>")),
    /** Mistral v0.1/v0.2: BOS, {@code [INST] user [/INST]} and {@code assistant</s>}; the reply follows {@code [/INST]}. */
    MISTRAL_INST("Mistral [INST]", List.of("<s>", "</s>", "[INST]", "[/INST]"));

    /** A recognised template, with the system turn it writes by default (null: none). */
    record Known(ChatTemplate template, String defaultSystem) {}

    /**
     * A literal default system turn in a ChatML template (its newline escaped, as in Jinja source,
     * or not): text without quotes between the system header and its end, so the branch that
     * writes the conversation's own system message ({@code ' + messages[0]['content'] + '}) is not it.
     */
    private static final Pattern CHATML_DEFAULT_SYSTEM = Pattern.compile("<\\|im_start\\|>system(?:\\\\n|\\n)([^'\"]+?)<\\|im_end\\|>");

    private final String label;
    private final List<String> specialTokens;

    ChatTemplate(String label, List<String> specialTokens) {
        this.label = label;
        this.specialTokens = specialTokens;
    }

    String label() {
        return label;
    }

    /** The markers the rendering writes, each of which must be one token of the checkpoint's tokenizer. */
    List<String> specialTokens() {
        return specialTokens;
    }

    /** The template {@code source} renders, or null when it is none of these. */
    static Known recognise(String source) {
        if (source.contains("<|start_header_id|>") && source.contains("<|eot_id|>")) {
            return new Known(LLAMA3, null);
        }
        if (source.contains("<|im_start|>") && source.contains("<|im_end|>")) {
            Matcher m = CHATML_DEFAULT_SYSTEM.matcher(source);
            return new Known(CHATML, m.find() ? m.group(1) : null);
        }
        if (source.contains("<start_of_turn>") && source.contains("<end_of_turn>")) {
            return new Known(GEMMA, null);
        }
        if (source.contains("'[INST] '") && source.contains("' [/INST]'")) {
            return new Known(MISTRAL_INST, null);
        }
        return null;
    }

    /** The conversation (roles "user" and "assistant") and the opening of the assistant's reply. */
    String render(List<String[]> turns, String defaultSystem) {
        StringBuilder out = new StringBuilder();
        switch (this) {
            case LLAMA3 -> {
                out.append("<|begin_of_text|>");
                for (String[] turn : turns) {
                    out.append("<|start_header_id|>").append(turn[0]).append("<|end_header_id|>\n\n").append(turn[1]).append("<|eot_id|>");
                }
                out.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
            }
            case CHATML -> {
                if (defaultSystem != null) {
                    out.append("<|im_start|>system\n").append(defaultSystem).append("<|im_end|>\n");
                }
                for (String[] turn : turns) {
                    out.append("<|im_start|>").append(turn[0]).append('\n').append(turn[1]).append("<|im_end|>\n");
                }
                out.append("<|im_start|>assistant\n");
            }
            case GEMMA -> {
                out.append("<bos>");
                for (String[] turn : turns) {
                    out.append("<start_of_turn>").append(turn[0].equals("assistant") ? "model" : "user").append('\n')
                            .append(turn[1]).append("<end_of_turn>\n");
                }
                out.append("<start_of_turn>model\n");
            }
            case MISTRAL_INST -> {
                out.append("<s>");
                for (String[] turn : turns) {
                    out.append(turn[0].equals("user") ? "[INST] " + turn[1] + " [/INST]" : turn[1] + "</s>");
                }
            }
        }
        return out.toString();
    }
}
