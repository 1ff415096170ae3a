package dev.locus.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.locus.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Greedy continuations equal to transformers 4.45.2's generate(do_sample=False) on every family's golden checkpoint. */
class GreedyDecodingTest {
    static final JsonNode EXPECTED = Golden.json(Golden.dir("generate").resolve("expected.json"));

    static List<String> cases() {
        List<String> out = new ArrayList<>();
        EXPECTED.get("cases").forEach(c -> out.add(c.get("case").asText()));
        return out;
    }

    static JsonNode golden(String name) {
        for (JsonNode c : EXPECTED.get("cases")) {
            if (c.get("case").asText().equals(name)) {
                return c;
            }
        }
        throw new IllegalStateException("no golden case " + name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theGreedyIdsAreTransformersOwn(String name) {
        JsonNode c = golden(name);
        try (NDManager root = NDManager.newBaseManager(); Decoder model = Decoder.load(Golden.dir(name), root)) {
            assertThat(model.config().family().modelType()).isEqualTo(c.get("model_type").asText());
            for (JsonNode run : c.get("runs")) {
                int[] prompt = Golden.ints(run.get("prompt"));
                assertThat(GreedyDecoding.continuation(model, root, prompt, run.get("greedy").size(), Hook.NONE))
                        .as("%s, a prompt of %d tokens", name, prompt.length).containsExactly(Golden.ints(run.get("greedy")));
            }
        }
    }
}
