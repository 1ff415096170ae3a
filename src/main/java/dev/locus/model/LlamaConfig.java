package dev.locus.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of a Hugging Face {@code LlamaForCausalLM} config.json that the forward pass uses.
 *
 * @param headDim the config's {@code head_dim} when present, else hidden/heads
 * @param ropeScaling llama3 frequency scaling, or null for plain RoPE
 * @param bosTokenId null when the config names none
 */
public record LlamaConfig(
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        int vocabSize,
        int maxPositionEmbeddings,
        Integer bosTokenId,
        List<Integer> eosTokenIds) {

    /** The llama3 {@code rope_scaling} block. */
    public record RopeScaling(
            double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings) {}

    public static final String FILE_NAME = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public LlamaConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** Query heads sharing one key/value head. */
    public int kvGroups() {
        return numHeads / numKvHeads;
    }

    /** Reads and validates {@code dir/config.json}. */
    public static LlamaConfig read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file, "(file)", "not found: a checkpoint directory needs config.json");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new ConfigException(file, "(json)", "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(file, "(file)", "cannot read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(file, "(json)", "expected a JSON object");
        }
        return parse(file, root);
    }

    static LlamaConfig parse(Path file, JsonNode root) {
        Fields f = new Fields(file, root);
        JsonNode architectures = root.get("architectures");
        if (architectures != null && architectures.isArray() && architectures.size() > 0) {
            boolean llama = false;
            for (JsonNode a : architectures) {
                llama |= "LlamaForCausalLM".equals(a.asText());
            }
            if (!llama) {
                throw new ConfigException(file, "architectures", "expected LlamaForCausalLM, found " + architectures);
            }
        }
        String act = f.optText("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new ConfigException(file, "hidden_act", "only silu is supported, found \"" + act + "\"");
        }
        for (String bias : List.of("attention_bias", "mlp_bias")) {
            if (f.optBoolean(bias, false)) {
                throw new ConfigException(file, bias, "biases are not supported (Llama-3 has none)");
            }
        }
        int hidden = f.positiveInt("hidden_size");
        int intermediate = f.positiveInt("intermediate_size");
        int layers = f.positiveInt("num_hidden_layers");
        int heads = f.positiveInt("num_attention_heads");
        int kvHeads = root.has("num_key_value_heads") ? f.positiveInt("num_key_value_heads") : heads;
        if (heads % kvHeads != 0) {
            throw new ConfigException(file, "num_key_value_heads",
                    kvHeads + " does not divide num_attention_heads " + heads);
        }
        int headDim;
        if (root.hasNonNull("head_dim")) {
            headDim = f.positiveInt("head_dim");
        } else if (hidden % heads != 0) {
            throw new ConfigException(file, "head_dim",
                    "absent, and hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
        } else {
            headDim = hidden / heads;
        }
        if (headDim % 2 != 0) {
            throw new ConfigException(file, "head_dim", "must be even for rotary embeddings, found " + headDim);
        }
        double eps = f.positiveDouble("rms_norm_eps");
        double theta = root.has("rope_theta") ? f.positiveDouble("rope_theta") : 10000.0;
        RopeScaling scaling = parseRopeScaling(file, root.get("rope_scaling"));
        int vocab = f.positiveInt("vocab_size");
        int maxPos = f.positiveInt("max_position_embeddings");
        boolean tied = f.optBoolean("tie_word_embeddings", false);
        Integer bos = root.hasNonNull("bos_token_id") ? f.tokenId("bos_token_id", root.get("bos_token_id"), vocab) : null;
        List<Integer> eos = new ArrayList<>();
        JsonNode eosNode = root.get("eos_token_id");
        if (eosNode != null && eosNode.isArray()) {
            for (JsonNode e : (ArrayNode) eosNode) {
                eos.add(f.tokenId("eos_token_id", e, vocab));
            }
        } else if (eosNode != null && !eosNode.isNull()) {
            eos.add(f.tokenId("eos_token_id", eosNode, vocab));
        }
        return new LlamaConfig(hidden, intermediate, layers, heads, kvHeads, headDim, eps, theta, scaling,
                tied, vocab, maxPos, bos, eos);
    }

    private static RopeScaling parseRopeScaling(Path file, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new ConfigException(file, "rope_scaling", "expected an object or null");
        }
        JsonNode typeNode = node.has("rope_type") ? node.get("rope_type") : node.get("type");
        String type = typeNode == null ? "" : typeNode.asText();
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals("llama3")) {
            throw new ConfigException(file, "rope_scaling.rope_type",
                    "only llama3 (or default) is supported, found \"" + type + "\"");
        }
        Fields f = new Fields(file, node, "rope_scaling.");
        double factor = f.positiveDouble("factor");
        double low = f.positiveDouble("low_freq_factor");
        double high = f.positiveDouble("high_freq_factor");
        if (!(high > low)) {
            throw new ConfigException(file, "rope_scaling.high_freq_factor",
                    "must exceed low_freq_factor (" + low + "), found " + high);
        }
        int original = f.positiveInt("original_max_position_embeddings");
        return new RopeScaling(factor, low, high, original);
    }

    /** Float32 parameters this config describes (head counted only when untied). */
    public long parameterCount() {
        long d = hiddenSize;
        long attention = d * (long) numHeads * headDim * 2 + d * (long) numKvHeads * headDim * 2;
        long mlp = 3L * d * intermediateSize;
        long perLayer = attention + mlp + 2 * d;
        long embed = (long) vocabSize * d;
        return embed + numLayers * perLayer + d + (tieWordEmbeddings ? 0 : embed);
    }

    /** The config.json text of this record, as the generators write it. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add("LlamaForCausalLM");
        root.put("model_type", "llama");
        root.put("hidden_size", hiddenSize);
        root.put("intermediate_size", intermediateSize);
        root.put("num_hidden_layers", numLayers);
        root.put("num_attention_heads", numHeads);
        root.put("num_key_value_heads", numKvHeads);
        root.put("head_dim", headDim);
        root.put("hidden_act", "silu");
        root.put("rms_norm_eps", rmsNormEps);
        root.put("rope_theta", ropeTheta);
        root.put("max_position_embeddings", maxPositionEmbeddings);
        root.put("vocab_size", vocabSize);
        root.put("tie_word_embeddings", tieWordEmbeddings);
        root.put("attention_bias", false);
        root.put("mlp_bias", false);
        if (bosTokenId != null) {
            root.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.size() == 1) {
            root.put("eos_token_id", eosTokenIds.get(0));
        } else if (!eosTokenIds.isEmpty()) {
            ArrayNode eos = root.putArray("eos_token_id");
            eosTokenIds.forEach(eos::add);
        }
        if (ropeScaling != null) {
            ObjectNode s = root.putObject("rope_scaling");
            s.put("rope_type", "llama3");
            s.put("factor", ropeScaling.factor());
            s.put("low_freq_factor", ropeScaling.lowFreqFactor());
            s.put("high_freq_factor", ropeScaling.highFreqFactor());
            s.put("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Typed, range-checked reads of one JSON object's fields. */
    private record Fields(Path file, JsonNode node, String prefix) {
        Fields(Path file, JsonNode node) {
            this(file, node, "");
        }

        private JsonNode required(String name) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                throw new ConfigException(file, prefix + name, "missing");
            }
            return v;
        }

        int positiveInt(String name) {
            JsonNode v = required(name);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new ConfigException(file, prefix + name, "expected an integer, found " + v);
            }
            if (v.intValue() <= 0) {
                throw new ConfigException(file, prefix + name, "must be positive, found " + v.intValue());
            }
            return v.intValue();
        }

        double positiveDouble(String name) {
            JsonNode v = required(name);
            if (!v.isNumber()) {
                throw new ConfigException(file, prefix + name, "expected a number, found " + v);
            }
            double d = v.doubleValue();
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new ConfigException(file, prefix + name, "must be positive and finite, found " + v);
            }
            return d;
        }

        boolean optBoolean(String name, boolean fallback) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isBoolean()) {
                throw new ConfigException(file, prefix + name, "expected true or false, found " + v);
            }
            return v.booleanValue();
        }

        String optText(String name, String fallback) {
            JsonNode v = node.get(name);
            return v == null || v.isNull() ? fallback : v.asText();
        }

        int tokenId(String name, JsonNode v, int vocab) {
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() >= vocab) {
                throw new ConfigException(file, prefix + name, "expected a token id in [0, " + vocab + "), found " + v);
            }
            return v.intValue();
        }
    }
}
