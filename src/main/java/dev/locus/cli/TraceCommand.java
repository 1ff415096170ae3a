package dev.locus.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locus.Provenance;
import dev.locus.hub.CheckpointSource;
import dev.locus.hub.HubEnvironment;
import dev.locus.model.Checkpoint;
import dev.locus.model.Decoder;
import dev.locus.model.Point;
import dev.locus.model.TokenInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs token ids exactly as given and writes every block's output and every position's log-softmax. */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = "Run token ids (no BOS added) through a checkpoint; write embeddings, resid_post and log-probs as JSON.")
public final class TraceCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR|ORG/NAME[@REV]",
            description = "Checkpoint: a folder (config.json, *.safetensors) or a Hub model.")
    CheckpointSource modelSource;

    @Option(names = "--ids", required = true, split = ",", description = "Token ids, comma separated, used exactly as given.")
    int[] ids;

    @Option(names = "--boundary", description = "Prompt length K: also write completion_logprob = sum over t >= K of log p(ids[t] | ids[<t]).")
    Integer boundary;

    @Option(names = "--out", required = true, description = "Output JSON file.")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (boundary != null && (boundary < 1 || boundary >= ids.length)) {
            throw new TokenInputException("--boundary", "boundary", "must be in [1, " + (ids.length - 1) + "], found " + boundary);
        }
        CheckpointSource.Located found = modelSource.locate(HubEnvironment.current(), System.err);
        Path model = found.dir();
        Map<String, String> hashes;
        try (Checkpoint checkpoint = Checkpoint.open(model)) {
            hashes = checkpoint.fileHashes();
            if (!checkpoint.ignoredTensors().isEmpty()) {
                System.err.println("locus trace: ignored tensors the architecture does not read: " + checkpoint.ignoredTensors());
            }
        }
        try (NDManager root = NDManager.newBaseManager();
                Decoder llama = Decoder.load(model, root);
                NDManager work = root.newSubManager()) {
            int layers = llama.config().numLayers();
            Map<Point, NDArray> captured = new HashMap<>();
            NDArray last = llama.forward(work, ids, (point, value) -> {
                captured.put(point, value);
                return value;
            });
            int[] positions = new int[ids.length];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = i;
            }
            NDArray logprobs = llama.logprobs(last, positions);
            Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), ".trace", ".json.partial");
            try {
                try (JsonGenerator json = new JsonFactory().createGenerator(tmp.toFile(), JsonEncoding.UTF8)) {
                    json.writeStartObject();
                    json.writeFieldName("provenance");
                    json.setCodec(new ObjectMapper());
                    json.writeObject(Provenance.of("locus trace").files("model", hashes).config("model", model.toAbsolutePath())
                            .configs(found.provenance("model")).config("boundary", boundary).config("ids", java.util.Arrays.toString(ids)).build());
                    json.writeFieldName("ids");
                    json.writeArray(ids, 0, ids.length);
                    json.writeFieldName("embeddings");
                    writeMatrix(json, captured.get(Point.EMBED));
                    json.writeArrayFieldStart("resid_post");
                    for (int l = 0; l < layers; l++) {
                        writeMatrix(json, captured.get(Point.residPost(l)));
                    }
                    json.writeEndArray();
                    json.writeFieldName("logprobs");
                    writeMatrix(json, logprobs);
                    if (boundary != null) {
                        json.writeNumberField("boundary", boundary);
                        json.writeNumberField("completion_logprob", Decoder.sum(llama.completionLogprobs(last, ids, boundary)));
                    }
                    json.writeEndObject();
                }
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        System.err.printf("locus trace: %d tokens through %s -> %s%n", ids.length, model, out);
        return 0;
    }

    private static void writeMatrix(JsonGenerator json, NDArray matrix) throws IOException {
        long rows = matrix.getShape().get(0);
        int cols = Math.toIntExact(matrix.getShape().get(1));
        float[] values = matrix.toFloatArray();
        json.writeStartArray();
        for (int r = 0; r < rows; r++) {
            json.writeStartArray();
            for (int c = 0; c < cols; c++) {
                json.writeNumber(values[r * cols + c]);
            }
            json.writeEndArray();
        }
        json.writeEndArray();
    }
}
