package dev.locus.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locus.JsonFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of a Hugging Face config.json that the forward pass uses, for every {@link Family}
 * locus reads (Llama, Qwen2, Mistral and Gemma-2): the shape every family shares, and the
 * family's own options as one record.
 *
 * @param headDim the config's {@code head_dim} when present, else hidden/heads
 * @param ropeScaling llama3 frequency scaling, or null for plain RoPE
 * @param bosTokenId null when the config names none
 */
public record DecoderConfig(
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
        List<Integer> eosTokenIds,
        Family family,
        FamilyOptions options) {

    /** The llama3 {@code rope_scaling} block. */
    public record RopeScaling(
            double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings) {}

    public static final String FILE_NAME = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public DecoderConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** A Llama config: no window, no soft-capping, the usual attention scale. */
    public DecoderConfig(int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKvHeads, int headDim, double rmsNormEps,
            double ropeTheta, RopeScaling ropeScaling, boolean tieWordEmbeddings, int vocabSize, int maxPositionEmbeddings,
            Integer bosTokenId, List<Integer> eosTokenIds) {
        this(hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, rmsNormEps, ropeTheta, ropeScaling,
                tieWordEmbeddings, vocabSize, maxPositionEmbeddings, bosTokenId, eosTokenIds, Family.LLAMA, FamilyOptions.NONE);
    }

    /** The same config in another family with that family's options (for generators and tests). */
    public DecoderConfig as(Family other, FamilyOptions otherOptions) {
        return new DecoderConfig(hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, rmsNormEps, ropeTheta,
                other == Family.LLAMA ? ropeScaling : null, tieWordEmbeddings, vocabSize, maxPositionEmbeddings, bosTokenId, eosTokenIds,
                other, otherOptions);
    }

    /** The sliding window at {@code layer}, or null where every earlier position is seen. */
    public Integer windowAt(int layer) {
        return options.slidingWindow() != null && family.windowed(layer) ? options.slidingWindow() : null;
    }

    /** Every tensor a checkpoint of this config holds, by role, in its family's layout and file order. */
    public List<Layout.Tensor> tensors() {
        return family.layout().tensors(this);
    }

    /** Query heads sharing one key/value head. */
    public int kvGroups() {
        return numHeads / numKvHeads;
    }

    /** Reads and validates {@code dir/config.json}. */
    public static DecoderConfig read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file, "(file)", "not found: a checkpoint directory needs config.json");
        }
        JsonNode root = JsonFiles.object(JSON, file, ConfigException::new);
        return parse(file, root);
    }

    static DecoderConfig parse(Path file, JsonNode root) {
        ConfigFields f = new ConfigFields(file, root);
        Family family = family(file, root);
        String expectedAct = activationName(family);
        String act = family == Family.GEMMA2 ? f.optText("hidden_activation", f.optText("hidden_act", expectedAct))
                : f.optText("hidden_act", expectedAct);
        if (!act.equals(expectedAct)) {
            throw new ConfigException(file, family.activationKey(),
                    family.modelType() + " uses " + expectedAct + ", found \"" + act + "\"");
        }
        for (String bias : List.of("attention_bias", "mlp_bias")) {
            if (f.optBoolean(bias, false)) {
                throw new ConfigException(file, bias, "biases are not supported here (" + family.modelType() + " has "
                        + (family.qkvBias() ? "them on q, k and v only, always" : "none") + ")");
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
        } else if (family == Family.GEMMA2) {
            throw new ConfigException(file, "head_dim", "missing: gemma2 does not derive it from hidden_size");
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
        if (scaling != null && family != Family.LLAMA) {
            throw new ConfigException(file, "rope_scaling", "llama3 scaling is Llama's; " + family.modelType() + " takes none");
        }
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
        return new DecoderConfig(hidden, intermediate, layers, heads, kvHeads, headDim, eps, theta, scaling,
                tied, vocab, maxPos, bos, eos, family, family.readOptions(f));
    }

    private static String activationName(Family family) {
        return family.activation() == Family.Activation.SILU ? "silu" : "gelu_pytorch_tanh";
    }

    /** The family named by {@code model_type}, agreeing with {@code architectures} where both are given. */
    private static Family family(Path file, JsonNode root) {
        JsonNode type = root.get("model_type");
        Family byType = null;
        if (type != null && !type.isNull()) {
            byType = Family.ofModelType(type.asText());
            if (byType == null) {
                throw new ConfigException(file, "model_type", "\"" + type.asText() + "\" is not a family locus reads: expected "
                        + "llama, qwen2, mistral or gemma2");
            }
        }
        JsonNode architectures = root.get("architectures");
        Family byArchitecture = null;
        if (architectures != null && architectures.isArray() && architectures.size() > 0) {
            for (JsonNode a : architectures) {
                Family found = Family.ofArchitecture(a.asText());
                byArchitecture = byArchitecture == null ? found : byArchitecture;
            }
            if (byArchitecture == null) {
                throw new ConfigException(file, "architectures", "expected LlamaForCausalLM, Qwen2ForCausalLM, MistralForCausalLM or "
                        + "Gemma2ForCausalLM, found " + architectures);
            }
        }
        if (byType != null && byArchitecture != null && byType != byArchitecture) {
            throw new ConfigException(file, "architectures", architectures + " disagrees with model_type \"" + type.asText() + "\"");
        }
        return byType != null ? byType : byArchitecture != null ? byArchitecture : Family.LLAMA;
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
        ConfigFields f = new ConfigFields(file, node, "rope_scaling.");
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

    /** Parameters this config describes: the elements of its {@link #tensors} (a tied head counted once). */
    public long parameterCount() {
        return tensors().stream().mapToLong(Layout.Tensor::elements).sum();
    }

    /** The config.json text of this record, as the generators write it. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add(family.architecture());
        root.put("model_type", family.modelType());
        root.put("hidden_size", hiddenSize);
        root.put("intermediate_size", intermediateSize);
        root.put("num_hidden_layers", numLayers);
        root.put("num_attention_heads", numHeads);
        root.put("num_key_value_heads", numKvHeads);
        root.put("head_dim", headDim);
        root.put(family.activationKey(), activationName(family));
        root.put("rms_norm_eps", rmsNormEps);
        root.put("rope_theta", ropeTheta);
        root.put("max_position_embeddings", maxPositionEmbeddings);
        root.put("vocab_size", vocabSize);
        root.put("tie_word_embeddings", tieWordEmbeddings);
        family.writeOptions(options, root);
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
}
