package dev.locus.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class GgufWriterTest {
    /** The same control vector written by llama.cpp's gguf-py (scripts/golden/gguf_control_vector.py), byte for byte. */
    @Test
    void aControlVectorIsTheBytesLlamaCppsOwnWriterGives() throws IOException {
        byte[] expected;
        try (InputStream in = GgufWriterTest.class.getResourceAsStream("/golden/gguf/control-vector.gguf")) {
            expected = in.readAllBytes();
        }
        byte[] written = new GgufWriter().string("general.architecture", "controlvector").string("controlvector.model_hint", "llama")
                .int32("controlvector.layer_count", 1)
                .tensor("direction.3", new float[] {0.5f, -1.25f, 3.0f, 0.0f, 1e-3f, -2.5f, 7.75f, 0.125f}).bytes();
        assertThat(written).isEqualTo(expected);
    }
}
