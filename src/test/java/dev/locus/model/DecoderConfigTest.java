package dev.locus.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoderConfigTest {
    @TempDir
    Path tmp;

    private Path editedConfig(Consumer<ObjectNode> edit) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(Golden.dir("tiny-f32-a").resolve("config.json").toFile());
        edit.accept(root);
        Path dir = Files.createTempDirectory(tmp, "cfg");
        json.writeValue(dir.resolve("config.json").toFile(), root);
        return dir;
    }

    private ConfigException rejects(Consumer<ObjectNode> edit) throws IOException {
        Path dir = editedConfig(edit);
        ConfigException e = assertThrows(ConfigException.class, () -> DecoderConfig.read(dir));
        assertThat(e.getMessage()).startsWith(dir.resolve("config.json") + ": " + e.field() + ": ");
        return e;
    }

    @Test
    void readsGoldenConfigs() {
        DecoderConfig a = DecoderConfig.read(Golden.dir("tiny-f32-a"));
        assertEquals(16, a.headDim());
        assertEquals(2, a.kvGroups());
        assertEquals(32.0, a.ropeScaling().factor());
        assertEquals(8192, a.ropeScaling().originalMaxPositionEmbeddings());
        DecoderConfig hd = DecoderConfig.read(Golden.dir("tiny-f16-untied-hd"));
        assertEquals(32, hd.headDim());
        assertNull(hd.ropeScaling());
        assertThat(hd.tieWordEmbeddings()).isFalse();
    }

    @Test
    void toJsonRoundTrips() throws IOException {
        DecoderConfig a = DecoderConfig.read(Golden.dir("tiny-f32-a"));
        Path dir = Files.createTempDirectory(tmp, "rt");
        Files.writeString(dir.resolve("config.json"), a.toJson());
        assertEquals(a, DecoderConfig.read(dir));
    }

    @Test
    void missingField() throws IOException {
        assertEquals("hidden_size", rejects(c -> c.remove("hidden_size")).field());
    }

    @Test
    void outOfRangeField() throws IOException {
        ConfigException e = rejects(c -> c.put("num_hidden_layers", -2));
        assertEquals("num_hidden_layers", e.field());
        assertThat(e.getMessage()).contains("must be positive, found -2");
        assertEquals("rms_norm_eps", rejects(c -> c.put("rms_norm_eps", 0.0)).field());
    }

    @Test
    void wrongTypeField() throws IOException {
        assertThat(rejects(c -> c.put("vocab_size", "300")).getMessage()).contains("expected an integer");
    }

    @Test
    void headsNotDivisibleByKvHeads() throws IOException {
        assertEquals("num_key_value_heads", rejects(c -> c.put("num_key_value_heads", 3)).field());
    }

    @Test
    void unsupportedRopeScaling() throws IOException {
        ConfigException e = rejects(c -> ((ObjectNode) c.get("rope_scaling")).put("rope_type", "yarn"));
        assertEquals("rope_scaling.rope_type", e.field());
    }

    @Test
    void incompleteLlama3Scaling() throws IOException {
        assertEquals("rope_scaling.factor", rejects(c -> ((ObjectNode) c.get("rope_scaling")).remove("factor")).field());
    }

    @Test
    void eosOutsideVocabulary() throws IOException {
        assertEquals("eos_token_id", rejects(c -> c.put("eos_token_id", 300)).field());
    }

    @Test
    void architecturesThatDisagreeWithTheModelTypeOrNameNoFamilyAreRefused() throws IOException {
        assertEquals("architectures", rejects(c -> c.putArray("architectures").add("MistralForCausalLM")).field());
        ConfigException unknown = rejects(c -> {
            c.remove("model_type");
            c.putArray("architectures").add("Phi3ForCausalLM");
        });
        assertEquals("architectures", unknown.field());
        assertThat(unknown.getMessage()).contains("Gemma2ForCausalLM");
        assertEquals("model_type", rejects(c -> c.put("model_type", "phi3")).field());
    }

    /** Each family's golden config reads into its family and options, and writes back to the same record. */
    @Test
    void everyFamilyReadsWithItsOptionsAndRoundTrips() throws IOException {
        DecoderConfig gemma = DecoderConfig.read(Golden.dir("families/f-gemma2-s3"));
        assertEquals(Family.GEMMA2, gemma.family());
        assertEquals(16, gemma.windowAt(0));
        assertNull(gemma.windowAt(1));
        assertEquals(24.0, gemma.options().queryPreAttnScalar());
        assertEquals(50.0, gemma.options().attnLogitSoftcap());
        assertEquals(30.0, gemma.options().finalLogitSoftcap());
        DecoderConfig mistral = DecoderConfig.read(Golden.dir("families/f-mistral-s3"));
        assertEquals(Family.MISTRAL, mistral.family());
        assertEquals(4096, mistral.windowAt(3));
        DecoderConfig qwen = DecoderConfig.read(Golden.dir("families/f-qwen2-s3"));
        assertEquals(Family.QWEN2, qwen.family());
        assertNull(qwen.windowAt(0));
        assertNull(qwen.bosTokenId());
        for (DecoderConfig c : java.util.List.of(gemma, mistral, qwen, DecoderConfig.read(Golden.dir("families/f-qwen2-untied-s3")))) {
            Path dir = Files.createTempDirectory(tmp, c.family().modelType());
            Files.writeString(dir.resolve(DecoderConfig.FILE_NAME), c.toJson());
            assertEquals(c, DecoderConfig.read(dir));
        }
    }

    @Test
    void familyOptionsThatLocusDoesNotComputeAreRefusedByName() throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (String[] c : new String[][] {
                {"f-qwen2-s3", "use_sliding_window", "true"},
                {"f-gemma2-s3", "head_dim", null},
                {"f-gemma2-s3", "hidden_activation", "\"gelu\""},
                {"f-gemma2-s3", "sliding_window", null},
                {"f-mistral-s3", "rope_scaling", "{\"rope_type\": \"llama3\", \"factor\": 8, \"low_freq_factor\": 1, "
                        + "\"high_freq_factor\": 4, \"original_max_position_embeddings\": 8192}"}}) {
            ObjectNode root = (ObjectNode) json.readTree(Golden.dir("families/" + c[0]).resolve("config.json").toFile());
            if (c[2] == null) {
                root.remove(c[1]);
            } else {
                root.set(c[1], json.readTree(c[2]));
            }
            Path dir = Files.createTempDirectory(tmp, "family");
            json.writeValue(dir.resolve("config.json").toFile(), root);
            ConfigException e = assertThrows(ConfigException.class, () -> DecoderConfig.read(dir), c[0] + " " + c[1]);
            assertEquals(c[1], e.field(), e.getMessage());
        }
    }

    @Test
    void biasesAreRefusedNotIgnored() throws IOException {
        assertEquals("attention_bias", rejects(c -> c.put("attention_bias", true)).field());
    }

    @Test
    void brokenJson() throws IOException {
        Path dir = Files.createTempDirectory(tmp, "broken");
        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 64,");
        assertEquals("(json)", assertThrows(ConfigException.class, () -> DecoderConfig.read(dir)).field());
    }
}
