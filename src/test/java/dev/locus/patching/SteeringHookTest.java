package dev.locus.patching;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.locus.Golden;
import dev.locus.model.Decoder;
import dev.locus.model.GreedyDecoding;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Steered greedy continuations equal to transformers 4.45.2's with the vector added to block L's output by a forward hook. */
class SteeringHookTest {
    static final JsonNode EXPECTED = Golden.json(Golden.dir("generate").resolve("expected.json"));

    static List<String> cases() {
        List<String> out = new ArrayList<>();
        EXPECTED.get("cases").forEach(c -> out.add(c.get("case").asText()));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theSteeredIdsAreTransformersOwnUnderTheSameHook(String name) {
        JsonNode c = null;
        for (JsonNode each : EXPECTED.get("cases")) {
            c = each.get("case").asText().equals(name) ? each : c;
        }
        JsonNode steering = EXPECTED.get("steering");
        float[] vector = new float[c.get("steering_vector").size()];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = (float) c.get("steering_vector").get(i).asDouble();
        }
        SteeringHook hook = new SteeringHook(steering.get("layer").asInt(), vector, steering.get("scale").asDouble());
        try (NDManager root = NDManager.newBaseManager(); Decoder model = Decoder.load(Golden.dir(name), root)) {
            for (JsonNode run : c.get("runs")) {
                int[] prompt = Golden.ints(run.get("prompt"));
                assertThat(GreedyDecoding.continuation(model, root, prompt, run.get("steered").size(), hook))
                        .as("%s, a prompt of %d tokens", name, prompt.length).containsExactly(Golden.ints(run.get("steered")));
                assertThat(GreedyDecoding.continuation(model, root, prompt, run.get("greedy").size(),
                        new SteeringHook(hook.layer(), vector, 0))).as("weight 0 is the model alone").containsExactly(Golden.ints(run.get("greedy")));
            }
        }
    }
}
