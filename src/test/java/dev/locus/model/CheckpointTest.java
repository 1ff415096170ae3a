package dev.locus.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locus.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path tmp;

    /** A copy of golden tiny-f32-a whose weights file holds {@code specs} (all zero). */
    private Path withTensors(List<SafetensorsWriter.Spec> specs) throws IOException {
        Path dir = tmp.resolve("ckpt");
        Files.createDirectories(dir);
        Files.copy(Golden.dir("tiny-f32-a").resolve("config.json"), dir.resolve("config.json"));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), specs, Map.of(), (s, f, out, n) -> java.util.Arrays.fill(out, 0, n, 0f));
        return dir;
    }

    private static List<SafetensorsWriter.Spec> expectedSpecs() {
        DecoderConfig c = DecoderConfig.read(Golden.dir("tiny-f32-a"));
        List<SafetensorsWriter.Spec> specs = new ArrayList<>();
        c.tensors().forEach(t -> specs.add(new SafetensorsWriter.Spec(t.name(), DType.F32, t.shape())));
        return specs;
    }

    @Test
    void opensEveryGoldenLayout() {
        for (String name : List.of("tiny-f32-a", "tiny-bf16", "tiny-f16-untied-hd", "tiny-sharded")) {
            try (Checkpoint c = Checkpoint.open(Golden.dir(name))) {
                assertThat(c.config().numLayers()).isEqualTo(4);
            }
        }
        try (Checkpoint sharded = Checkpoint.open(Golden.dir("tiny-sharded"))) {
            assertEquals(816_384, sharded.weightBytes());
        }
    }

    @Test
    void missingTensor() throws IOException {
        List<SafetensorsWriter.Spec> specs = expectedSpecs();
        specs.removeIf(s -> s.name().equals("model.layers.2.mlp.down_proj.weight"));
        Path dir = withTensors(specs);
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class, () -> Checkpoint.open(dir));
        assertEquals("model.layers.2.mlp.down_proj.weight", e.field());
        assertThat(e.getMessage()).contains("missing").contains("[64, 176]");
    }

    @Test
    void misShapedTensor() throws IOException {
        List<SafetensorsWriter.Spec> specs = expectedSpecs();
        specs.replaceAll(s -> s.name().equals("model.layers.1.self_attn.k_proj.weight") ? new SafetensorsWriter.Spec(s.name(), DType.F32, new long[] {64, 64}) : s);
        Path dir = withTensors(specs);
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class, () -> Checkpoint.open(dir));
        assertEquals("model.layers.1.self_attn.k_proj.weight", e.field());
        assertThat(e.getMessage()).contains("model.safetensors").contains("shape [64, 64] but config.json implies [32, 64]");
    }

    @Test
    void unexpectedTensorsAreListed() throws IOException {
        List<SafetensorsWriter.Spec> specs = expectedSpecs();
        specs.add(new SafetensorsWriter.Spec("model.layers.0.self_attn.q_proj.bias", DType.F32, new long[] {64}));
        specs.add(new SafetensorsWriter.Spec("model.layers.0.self_attn.rotary_emb.inv_freq", DType.F32, new long[] {8}));
        Path dir = withTensors(specs);
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class, () -> Checkpoint.open(dir));
        assertThat(e.getMessage()).contains("1 tensor(s)").contains("q_proj.bias").doesNotContain("inv_freq");
    }

    @Test
    void harmlessExtrasAreIgnoredAndReported() throws IOException {
        List<SafetensorsWriter.Spec> specs = expectedSpecs();
        specs.add(new SafetensorsWriter.Spec("model.layers.0.self_attn.rotary_emb.inv_freq", DType.F32, new long[] {8}));
        try (Checkpoint c = Checkpoint.open(withTensors(specs))) {
            assertThat(c.ignoredTensors()).containsExactly("model.layers.0.self_attn.rotary_emb.inv_freq");
        }
    }

    @Test
    void indexNamingAMissingShard() throws IOException {
        Path dir = tmp.resolve("sharded");
        Files.createDirectories(dir);
        Path golden = Golden.dir("tiny-sharded");
        for (String f : List.of("config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors")) {
            Files.copy(golden.resolve(f), dir.resolve(f));
        }
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class, () -> Checkpoint.open(dir));
        assertThat(e.field()).as("the first tensor the missing shard holds").startsWith("weight_map.model.layers.");
        assertThat(e.getMessage()).contains("model-00002-of-00002.safetensors").contains("more tensors");
    }

    @Test
    void noWeightsAtAll() throws IOException {
        Path dir = tmp.resolve("empty");
        Files.createDirectories(dir);
        Files.copy(Golden.dir("tiny-f32-a").resolve("config.json"), dir.resolve("config.json"));
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class, () -> Checkpoint.open(dir));
        assertThat(e.getMessage()).contains("neither model.safetensors nor model.safetensors.index.json");
    }

    @Test
    void hashesNameEveryRelevantFile() {
        try (Checkpoint c = Checkpoint.open(Golden.dir("tiny-f32-a"))) {
            assertThat(c.fileHashes()).containsEntry("model.safetensors",
                    "1e6b42417a621e6d38ad95bb6fde2b5f2f20be42c236d5c239518db6289656e0")
                    .containsEntry("config.json", "d43189b029be3f78b63a2f196dd0fe249fa6f5343d2629e74b7eb48a7f2a2af9")
                    .doesNotContainKey("expected.json");
        }
    }
}
