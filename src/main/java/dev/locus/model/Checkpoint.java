package dev.locus.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locus.Sha256;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A Hugging Face checkpoint directory, validated against its config before any weight is read:
 * config.json, one {@code model.safetensors} or shards named by {@code model.safetensors.index.json},
 * every tensor the architecture needs present with the shape the config implies.
 */
public final class Checkpoint implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    public static final String TOKENIZER_FILE = "tokenizer.json";

    /** Tensors a checkpoint may carry that the forward pass rightly does not read. */
    private static final String ROTARY_CACHE_SUFFIX = ".self_attn.rotary_emb.inv_freq";

    /** Where one tensor lives. */
    public record Located(SafetensorsFile file, SafetensorsFile.Entry entry) {}

    private final Path dir;
    private final DecoderConfig config;
    private final List<SafetensorsFile> files;
    private final Map<String, Located> tensors;
    private final List<String> ignored;

    private Checkpoint(Path dir, DecoderConfig config, List<SafetensorsFile> files, Map<String, Located> tensors,
            List<String> ignored) {
        this.dir = dir;
        this.config = config;
        this.files = files;
        this.tensors = tensors;
        this.ignored = ignored;
    }

    public static Checkpoint open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException(dir, "(directory)", "not a checkpoint directory");
        }
        DecoderConfig config = DecoderConfig.read(dir);
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            Map<String, Located> all = new TreeMap<>();
            Path index = dir.resolve(INDEX_FILE);
            if (Files.isRegularFile(index)) {
                Map<String, String> weightMap = readIndex(index);
                Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
                for (String shardName : new TreeSet<>(weightMap.values())) {
                    Path shard = dir.resolve(shardName).normalize();
                    if (!shard.startsWith(dir.normalize()) || !Files.isRegularFile(shard)) {
                        List<String> held = weightMap.entrySet().stream().filter(w -> w.getValue().equals(shardName))
                                .map(Map.Entry::getKey).toList();
                        throw new CheckpointMismatchException(index, "weight_map." + held.get(0),
                                "in shard \"" + shardName + "\" (with " + (held.size() - 1) + " more tensors), which is not a file in " + dir);
                    }
                    SafetensorsFile file = SafetensorsFile.open(shard);
                    files.add(file);
                    shards.put(shardName, file);
                }
                for (SafetensorsFile file : files) {
                    for (SafetensorsFile.Entry e : file.entries().values()) {
                        String mapped = weightMap.get(e.name());
                        if (mapped == null) {
                            throw new CheckpointMismatchException(index, "weight_map",
                                    "has no entry for tensor " + e.name() + " stored in " + file.path().getFileName());
                        }
                        if (shards.get(mapped) != file) {
                            throw new CheckpointMismatchException(index, "weight_map." + e.name(),
                                    "names " + mapped + " but the tensor is stored in " + file.path().getFileName());
                        }
                        all.put(e.name(), new Located(file, e));
                    }
                }
                for (Map.Entry<String, String> w : weightMap.entrySet()) {
                    if (!all.containsKey(w.getKey())) {
                        throw new CheckpointMismatchException(dir.resolve(w.getValue()), w.getKey(),
                                "listed in " + INDEX_FILE + " but not stored in this shard");
                    }
                }
            } else {
                Path single = dir.resolve(SINGLE_FILE);
                if (!Files.isRegularFile(single)) {
                    throw new CheckpointMismatchException(dir, "(weights)",
                            "neither " + SINGLE_FILE + " nor " + INDEX_FILE + " is present");
                }
                SafetensorsFile file = SafetensorsFile.open(single);
                files.add(file);
                for (SafetensorsFile.Entry e : file.entries().values()) {
                    all.put(e.name(), new Located(file, e));
                }
            }
            List<String> ignored = checkTensors(dir, config, all);
            return new Checkpoint(dir, config, List.copyOf(files), all, List.copyOf(ignored));
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, String> readIndex(Path index) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new CheckpointMismatchException(index, "(json)", "not valid JSON: " + e.getMessage());
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.size() == 0) {
            throw new CheckpointMismatchException(index, "weight_map", "missing or empty");
        }
        Map<String, String> weightMap = new TreeMap<>();
        map.fields().forEachRemaining(f -> {
            if (!f.getValue().isTextual()) {
                throw new CheckpointMismatchException(index, "weight_map." + f.getKey(), "expected a shard file name");
            }
            weightMap.put(f.getKey(), f.getValue().asText());
        });
        return weightMap;
    }

    private static List<String> checkTensors(Path dir, DecoderConfig config, Map<String, Located> all) {
        Set<String> expected = new HashSet<>();
        for (Layout.Tensor t : config.tensors()) {
            expected.add(t.name());
            Located found = all.get(t.name());
            if (found == null) {
                throw new CheckpointMismatchException(dir, t.name(),
                        "missing: config.json implies shape " + Arrays.toString(t.shape()));
            }
            if (!Arrays.equals(found.entry().shape(), t.shape())) {
                throw new CheckpointMismatchException(found.file().path(), t.name(),
                        "shape " + found.entry().shapeText() + " but config.json implies " + Arrays.toString(t.shape()));
            }
            if (!found.entry().dtype().isWeightType()) {
                throw new CheckpointMismatchException(found.file().path(), t.name() + ".dtype",
                        found.entry().dtype() + " is not a weight type (F32, F16, BF16)");
            }
        }
        List<String> ignored = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (String name : all.keySet()) {
            if (expected.contains(name)) {
                continue;
            }
            boolean harmless = name.endsWith(ROTARY_CACHE_SUFFIX)
                    || (name.equals(Layout.name(Role.HEAD)) && config.tieWordEmbeddings());
            (harmless ? ignored : unexpected).add(name);
        }
        if (!unexpected.isEmpty()) {
            throw new CheckpointMismatchException(dir, unexpected.get(0),
                    unexpected.size() + " tensor(s) this " + config.family().modelType() + " config does not use (a different architecture?): "
                            + unexpected);
        }
        return ignored;
    }

    public Path dir() {
        return dir;
    }

    public DecoderConfig config() {
        return config;
    }

    public Located tensor(String name) {
        Located t = tensors.get(name);
        if (t == null) {
            throw new CheckpointMismatchException(dir, name, "missing");
        }
        return t;
    }

    /** Tensors stored but not read (rotary caches, a tied model's redundant lm_head). */
    public List<String> ignoredTensors() {
        return ignored;
    }

    /** Bytes of tensor data across all weight files. */
    public long weightBytes() {
        return tensors.values().stream().mapToLong(t -> t.entry().byteLength()).sum();
    }

    /** sha256 of every file that determines the model's outputs: config, index, shards, tokenizer. */
    public Map<String, String> fileHashes() {
        Map<String, String> hashes = new TreeMap<>();
        try (Stream<Path> listing = Files.list(dir)) {
            for (Path p : (Iterable<Path>) listing.sorted()::iterator) {
                String name = p.getFileName().toString();
                boolean relevant = name.equals(DecoderConfig.FILE_NAME) || name.endsWith(".safetensors")
                        || name.equals(INDEX_FILE) || name.equals(TOKENIZER_FILE);
                if (relevant && Files.isRegularFile(p)) {
                    hashes.put(name, Sha256.of(p));
                }
            }
        } catch (IOException e) {
            throw new ConfigException(dir, "(directory)", "cannot list: " + e.getMessage());
        }
        return hashes;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
