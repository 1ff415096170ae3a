package dev.locus.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.locus.Golden;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayoutTest {
    /** Each family's golden checkpoint, written by transformers, holds exactly the tensors its layout names. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-f32-a", "families/f-qwen2-s3", "families/f-qwen2-untied-s3", "families/f-mistral-s3", "families/f-gemma2-s3"})
    void theLayoutNamesEveryTensorTransformersWrote(String golden) {
        try (Checkpoint checkpoint = Checkpoint.open(Golden.dir(golden))) {
            DecoderConfig c = checkpoint.config();
            Set<String> names = c.tensors().stream().map(Layout.Tensor::name).collect(Collectors.toSet());
            Set<String> stored;
            try (SafetensorsFile file = SafetensorsFile.open(Golden.dir(golden).resolve(Checkpoint.SINGLE_FILE))) {
                stored = new HashSet<>(file.entries().keySet());
            }
            checkpoint.ignoredTensors().forEach(stored::remove);
            assertEquals(stored, names, golden);
            long storedElements = 0;
            for (String name : names) {
                storedElements += checkpoint.tensor(name).entry().elementCount();
            }
            assertEquals(storedElements, c.parameterCount(), golden + ": the parameter count is the stored elements'");
        }
    }

    @Test
    void postAttentionLayernormIsTheMlpsNormExceptInGemma2WhereItNormsAttentionsOutput() {
        for (Family f : List.of(Family.LLAMA, Family.QWEN2, Family.MISTRAL)) {
            assertEquals("model.layers.3.post_attention_layernorm.weight", f.layout().name(Role.MLP_NORM, 3), f.name());
            assertThat(f.layout().has(Role.ATTENTION_OUT_NORM)).isFalse();
        }
        assertEquals("model.layers.3.post_attention_layernorm.weight", Family.GEMMA2.layout().name(Role.ATTENTION_OUT_NORM, 3));
        assertEquals("model.layers.3.pre_feedforward_layernorm.weight", Family.GEMMA2.layout().name(Role.MLP_NORM, 3));
        assertThat(Family.QWEN2.qkvBias()).isTrue();
        assertThat(Family.GEMMA2.sandwichNorms()).isTrue();
        assertThat(Family.LLAMA.qkvBias() || Family.LLAMA.sandwichNorms()).isFalse();
    }

    @Test
    void everyRolesShapeFollowsTheConfig() {
        DecoderConfig c = DecoderConfig.read(Golden.dir("tiny-f16-untied-hd"));
        assertThat(c.tieWordEmbeddings()).isFalse();
        List<Layout.Tensor> tensors = c.tensors();
        assertEquals(Role.EMBED, tensors.get(0).role());
        assertEquals(Role.HEAD, tensors.get(tensors.size() - 1).role());
        for (Layout.Tensor t : tensors) {
            assertThat(t.shape()).containsExactly(t.role().shape(c));
        }
        assertThat(Role.Q.shape(c)).containsExactly((long) c.numHeads() * c.headDim(), c.hiddenSize());
        assertThat(Role.DOWN.shape(c)).containsExactly(c.hiddenSize(), c.intermediateSize());
    }
}
