package dev.locus.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locus.model.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache shared with huggingface_hub both ways, against a cache its v0.24.6 client wrote
 * (src/test/hub-cache, see its README): locus reads it offline, and writes the same tree when it
 * downloads the same repository itself.
 */
class HubCacheInteropTest {
    static final Path WRITTEN_BY_HUGGINGFACE_HUB = Path.of("src/test/hub-cache/huggingface_hub-0.24.6");
    static final String REPO = "locus-test/tiny";

    @TempDir
    Path tmp;

    private static String commitOf(Path cache) throws IOException {
        return Files.readString(cache.resolve("models--locus-test--tiny/refs/main"));
    }

    @Test
    void locusReadsACacheHuggingfaceHubWroteWithNoRequest() throws IOException {
        Path cache = copyTree(WRITTEN_BY_HUGGINGFACE_HUB, tmp.resolve("cache"));
        HubEnvironment offline = HubEnvironment.of(Map.of("HF_HUB_CACHE", cache.toString(), "HF_HUB_OFFLINE", "1",
                "HF_ENDPOINT", "http://127.0.0.1:9"), tmp);

        HubOrigin.Located found = HubCheckpoints.fetch(HubName.parseOrNull(REPO), offline, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));

        assertThat(found.origin()).isEqualTo(new HubOrigin(REPO, "main", commitOf(cache)));
        assertThat(found.files()).containsExactly("config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors");
        try (Checkpoint c = Checkpoint.open(found.dir())) {
            assertThat(c.config().numLayers()).isEqualTo(4);
        }
    }

    @Test
    void locusWritesTheTreeHuggingfaceHubWroteForTheSameRepository() throws IOException {
        String commit = commitOf(WRITTEN_BY_HUGGINGFACE_HUB);
        Path snapshot = WRITTEN_BY_HUGGINGFACE_HUB.resolve("models--locus-test--tiny/snapshots").resolve(commit);
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(snapshot)) {
            for (Path f : list.toList()) {
                files.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        files.put("README.md", "# tiny\n".getBytes(StandardCharsets.UTF_8));
        Path cache = tmp.resolve("written-by-locus");
        try (LoopbackHub hub = new LoopbackHub()) {
            hub.publish(REPO, "main", commit, files);
            HubEnvironment online = HubEnvironment.of(Map.of("HF_HUB_CACHE", cache.toString(), "HF_ENDPOINT", hub.endpoint().toString()), tmp);
            HubCheckpoints.fetch(HubName.parseOrNull(REPO), online, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        }

        assertThat(tree(cache)).isEqualTo(tree(WRITTEN_BY_HUGGINGFACE_HUB));
    }

    /** Every path under {@code root}: a link as "-> target", a file as its bytes' sha256, a folder as "/". */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> tree = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String name = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    tree.put(name, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    tree.put(name, "/");
                } else {
                    tree.put(name, LoopbackHub.sha256(Files.readAllBytes(p)));
                }
            }
        }
        return tree;
    }

    private static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
