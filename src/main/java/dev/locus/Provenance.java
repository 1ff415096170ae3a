package dev.locus;

import ai.djl.engine.Engine;
import dev.locus.model.Checkpoint;
import dev.locus.model.Gemm;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a result is a function of: the sha256 of every input file, the seed, the settings, and the
 * software and machine that computed it. Every command and claim writes one, so a number can be
 * traced to (checkpoints, dataset, seed, config). Maps are sorted, so the same inputs give the same
 * bytes.
 *
 * @param tool the command or stage that wrote the result, e.g. {@code locus margin}
 * @param sha256 input file, named by role ({@code base/model.safetensors}, {@code pairs}), to its sha256
 * @param seed the run's seed, or null where nothing is random
 * @param config every setting that changes a number, as text
 * @param locusVersion the project version
 * @param gitCommit the commit the code was built from, with {@code -dirty} when it had uncommitted changes
 * @param djlVersion DJL's version
 * @param pytorchVersion the PyTorch engine's version
 * @param matmul which library computed the forward's matrix products ({@link Gemm}): results differ
 *     between routes in the last float32 digits
 * @param machine operating system, architecture, cores and Java runtime
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Provenance(String tool, SortedMap<String, String> sha256, Long seed, SortedMap<String, String> config,
        String locusVersion, String gitCommit, String djlVersion, String pytorchVersion, String matmul, String machine) {

    public static Builder of(String tool) {
        return new Builder(tool);
    }

    /** The same provenance with one more setting (one that changes no number, e.g. which runner made them). */
    public Provenance withConfig(String key, String value) {
        SortedMap<String, String> more = new java.util.TreeMap<>(config);
        more.put(key, value);
        return new Provenance(tool, sha256, seed, more, locusVersion, gitCommit, djlVersion, pytorchVersion, matmul, machine);
    }

    /** Collects a provenance's inputs; the software and machine are read once, at {@link #build()}. */
    public static final class Builder {
        private final String tool;
        private final SortedMap<String, String> sha256 = new TreeMap<>();
        private final SortedMap<String, String> config = new TreeMap<>();
        private Long seed;

        private Builder(String tool) {
            this.tool = tool;
        }

        /** One input file, by role. */
        public Builder file(String role, Path file) {
            sha256.put(role, Sha256.of(file));
            return this;
        }

        /** Files already hashed (a checkpoint's), each named {@code role/file}. */
        public Builder files(String role, Map<String, String> hashes) {
            hashes.forEach((name, hash) -> sha256.put(role + "/" + name, hash));
            return this;
        }

        /** Every file of a checkpoint, hashed, named {@code role/file}, and its family as {@code role_family}. */
        public Builder checkpoint(String role, Path dir) {
            try (Checkpoint c = Checkpoint.open(dir)) {
                config(role + "_family", c.config().family().modelType());
                return files(role, c.fileHashes());
            }
        }

        /** Several settings at once, such as where a checkpoint came from. */
        public Builder configs(Map<String, String> entries) {
            config.putAll(entries);
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder config(String key, Object value) {
            config.put(key, String.valueOf(value));
            return this;
        }

        public Provenance build() {
            Properties build = buildProperties();
            String commit = build.getProperty("commit", "unknown");
            if (commit.startsWith("${")) {
                commit = "unknown";
            } else if ("true".equals(build.getProperty("dirty"))) {
                commit += "-dirty";
            }
            Runtime runtime = Runtime.getRuntime();
            String machine = System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                    + runtime.availableProcessors() + " cores, Java " + System.getProperty("java.runtime.version");
            return new Provenance(tool, new TreeMap<>(sha256), seed, new TreeMap<>(config),
                    build.getProperty("version", "unknown"), commit, Engine.getDjlVersion(), enginePytorchVersion(), Gemm.choice().description(), machine);
        }
    }

    private static String enginePytorchVersion() {
        try {
            return Engine.getEngine("PyTorch").getVersion();
        } catch (RuntimeException e) {
            return "unavailable: " + e.getMessage();
        }
    }

    private static Properties buildProperties() {
        Properties p = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read locus's build.properties", e);
        }
        return p;
    }
}
