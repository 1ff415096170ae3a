package dev.locus.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locus.Golden;
import dev.locus.model.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints by Hub name against a Hub on loopback ({@link LoopbackHub}): the cache laid out as
 * huggingface_hub lays it out, nothing requested that the cache holds, and every fault a clear
 * error with nothing unverified under {@code snapshots/} and a cut download resumed where it stopped.
 */
class HubCheckpointsTest {
    static final String REPO = "locus-test/tiny";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final String NEXT_COMMIT = "89abcdef0123456789abcdef0123456789abcdef";
    private static final String TOKEN = "hf_loopbacktoken";

    @TempDir
    Path tmp;

    private LoopbackHub hub;
    private Map<String, byte[]> files;
    private ByteArrayOutputStream log;

    /** A tiny checkpoint as a Hub repo holds it: config, tokenizer files, one safetensors file (820 kB), no generation_config.json. */
    static Map<String, byte[]> tinyRepo() throws IOException {
        Map<String, byte[]> f = new TreeMap<>();
        f.put("config.json", Files.readAllBytes(Golden.dir("tiny-f32-a").resolve("config.json")));
        f.put("model.safetensors", Files.readAllBytes(Golden.dir("tiny-f32-a").resolve("model.safetensors")));
        f.put("tokenizer.json", "{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\"}}".getBytes(StandardCharsets.UTF_8));
        f.put("tokenizer_config.json", "{\"bos_token\": \"<s>\"}".getBytes(StandardCharsets.UTF_8));
        f.put("README.md", "not read by locus".getBytes(StandardCharsets.UTF_8));
        return f;
    }

    @BeforeEach
    void start() throws IOException {
        hub = new LoopbackHub();
        files = tinyRepo();
        hub.publish(REPO, "main", COMMIT, files);
        log = new ByteArrayOutputStream();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private HubEnvironment env(String... settings) {
        Map<String, String> env = new HashMap<>(Map.of("HF_HUB_CACHE", tmp.resolve("cache").toString(), "HF_ENDPOINT", hub.endpoint().toString(),
                "HF_HOME", tmp.resolve("hf-home").toString()));
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        return HubEnvironment.of(env, tmp.resolve("home"));
    }

    private HubOrigin.Located fetch(String name, HubEnvironment env) {
        return HubCheckpoints.fetch(HubName.parseOrNull(name), env, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    private Path repoFolder() {
        return tmp.resolve("cache").resolve("models--locus-test--tiny");
    }

    private String modelSha() {
        return LoopbackHub.sha256(files.get("model.safetensors"));
    }

    /** Every file under snapshots/ is a relative link to a blob whose bytes match its name. */
    private void assertSnapshotsVerified() throws IOException {
        Path snapshots = repoFolder().resolve("snapshots");
        if (!Files.exists(snapshots)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(snapshots)) {
            for (Path p : walk.filter(Files::isSymbolicLink).toList()) {
                Path target = Files.readSymbolicLink(p);
                assertThat(target.isAbsolute()).as("%s links relatively", p).isFalse();
                Path blob = p.getParent().resolve(target).normalize();
                assertThat(blob).as("%s's blob", p).isRegularFile();
                byte[] bytes = Files.readAllBytes(blob);
                String name = blob.getFileName().toString();
                assertThat(name.length() == 64 ? LoopbackHub.sha256(bytes) : LoopbackHub.gitBlobId(bytes)).as("blob %s", blob).isEqualTo(name);
            }
        }
    }

    @Test
    void aColdCacheIsFilledAsHuggingfaceHubFillsItWithOnlyTheFilesARunReads() throws IOException {
        HubOrigin.Located found = fetch(REPO, env());

        assertThat(found.origin()).isEqualTo(new HubOrigin(REPO, "main", COMMIT));
        assertThat(found.dir()).isEqualTo(repoFolder().resolve("snapshots").resolve(COMMIT));
        assertThat(found.files()).containsExactly("config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors");
        assertThat(found.dir().resolve("README.md")).doesNotExist();
        for (String f : found.files()) {
            assertThat(Files.isSymbolicLink(found.dir().resolve(f))).isTrue();
            assertThat(Files.readAllBytes(found.dir().resolve(f))).isEqualTo(files.get(f));
        }
        assertThat(Files.readSymbolicLink(found.dir().resolve("model.safetensors")).toString()).isEqualTo("../../blobs/" + modelSha());
        assertThat(Files.readString(repoFolder().resolve("refs/main"))).isEqualTo(COMMIT);
        assertThat(repoFolder().resolve(".no_exist").resolve(COMMIT).resolve("generation_config.json")).exists();
        assertThat(tmp.resolve("cache/.locks/models--locus-test--tiny").resolve(modelSha() + ".lock")).exists();
        try (Stream<Path> blobs = Files.list(repoFolder().resolve("blobs"))) {
            assertThat(blobs.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".incomplete")).hasSize(4);
        }
        assertSnapshotsVerified();
        try (Checkpoint c = Checkpoint.open(found.dir())) {
            assertThat(c.config().numLayers()).isPositive();
        }
    }

    @Test
    void whatTheCacheHoldsIsUsedWithoutARequestAndABranchCostsOneHead() {
        fetch(REPO, env());
        hub.forget();

        fetch(REPO + "@" + COMMIT, env());
        assertThat(hub.seen()).as("a cached commit").isEmpty();

        HubOrigin.Located again = fetch(REPO, env());
        assertThat(again.origin().commit()).isEqualTo(COMMIT);
        assertThat(hub.seen()).as("a branch: one HEAD to learn where it points, nothing downloaded")
                .containsExactly(new LoopbackHub.Seen("HEAD", "/" + REPO + "/resolve/main/config.json", false, null));
    }

    @Test
    void aMovedBranchGivesTheNewCommitAndTheRefFollowsIt() throws IOException {
        fetch(REPO, env());
        Map<String, byte[]> next = new TreeMap<>(files);
        next.put("config.json", (new String(files.get("config.json"), StandardCharsets.UTF_8).replace("}", "  ,\"locus_note\": 1}"))
                .getBytes(StandardCharsets.UTF_8));
        hub.publish(REPO, "main", NEXT_COMMIT, next);
        hub.forget();

        HubOrigin.Located moved = fetch(REPO, env());

        assertThat(moved.origin().commit()).isEqualTo(NEXT_COMMIT);
        assertThat(Files.readString(repoFolder().resolve("refs/main"))).isEqualTo(NEXT_COMMIT);
        assertThat(Files.readAllBytes(moved.dir().resolve("config.json"))).isEqualTo(next.get("config.json"));
        assertThat(hub.bodyRequests(modelSha())).as("the unchanged weights are the same blob").isZero();
        assertThat(fetch(REPO + "@" + COMMIT, env()).dir()).as("the old commit is still there").isEqualTo(repoFolder().resolve("snapshots/" + COMMIT));
    }

    @Test
    void offlineMakesNoRequestAndReadsTheCacheOrSaysWhatIsMissing() {
        HubException cold = assertThrows(HubException.class, () -> fetch(REPO, env("HF_HUB_OFFLINE", "1")));
        assertThat(cold.getMessage()).contains(REPO, "HF_HUB_OFFLINE", "refs/main", "run once online");
        assertThat(hub.seen()).isEmpty();

        fetch(REPO, env());
        hub.forget();
        for (String[] flag : List.of(new String[] {"HF_HUB_OFFLINE", "1"}, new String[] {"TRANSFORMERS_OFFLINE", "yes"})) {
            HubOrigin.Located found = fetch(REPO, env(flag));
            assertThat(found.origin().commit()).isEqualTo(COMMIT);
        }
        assertThat(hub.seen()).isEmpty();
    }

    @Test
    void shardsAreFetchedByTheIndex() throws IOException {
        Map<String, byte[]> sharded = new TreeMap<>();
        Path dir = Golden.dir("tiny-sharded");
        for (String f : List.of("config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors")) {
            sharded.put(f, Files.readAllBytes(dir.resolve(f)));
        }
        sharded.put("tokenizer.json", files.get("tokenizer.json"));
        hub.publish("locus-test/sharded", "main", NEXT_COMMIT, sharded);

        HubOrigin.Located found = fetch("locus-test/sharded", env());

        assertThat(found.files()).containsExactly("config.json", "tokenizer.json", "model.safetensors.index.json",
                "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
        try (Checkpoint c = Checkpoint.open(found.dir())) {
            assertThat(c.fileHashes()).containsKeys("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
        }
        hub.forget();
        fetch("locus-test/sharded", env("HF_HUB_OFFLINE", "1"));
        assertThat(hub.seen()).isEmpty();
    }

    @Test
    void aRenamedRepositoryIsFollowedByItsRelativeRedirectAndTheTokenGoesToTheHubOnly() {
        hub.rename("locus-test/old-name", REPO);

        HubOrigin.Located found = fetch("locus-test/old-name", env("HF_TOKEN", TOKEN));

        assertThat(found.origin().commit()).isEqualTo(COMMIT);
        List<LoopbackHub.Seen> seen = hub.seen();
        assertThat(seen).anyMatch(s -> s.path().startsWith("/locus-test/old-name/")).anyMatch(s -> s.path().startsWith("/" + REPO + "/"));
        assertThat(seen).filteredOn(s -> s.path().startsWith("/")).allMatch(LoopbackHub.Seen::authorized);
        assertThat(seen).filteredOn(s -> s.path().startsWith("cdn:")).isNotEmpty().noneMatch(LoopbackHub.Seen::authorized);
    }

    @Test
    void aGatedModelNeedsItsTokenAndSaysSo() throws IOException {
        hub.gate(REPO, TOKEN);

        HubException refused = assertThrows(HubException.class, () -> fetch(REPO, env()));
        assertThat(refused.getMessage()).contains(REPO, "gated", "accept its licence", "HF_TOKEN").doesNotContain(TOKEN);
        assertThat(repoFolder().resolve("snapshots")).doesNotExist();

        HubException wrong = assertThrows(HubException.class, () -> fetch(REPO, env("HF_TOKEN", "hf_other")));
        assertThat(wrong.getMessage()).contains("(403)").doesNotContain("hf_other");

        Files.createDirectories(tmp.resolve("hf-home"));
        Files.writeString(tmp.resolve("hf-home/token"), TOKEN + "\n");
        assertThat(fetch(REPO, env()).origin().commit()).as("the token file under HF_HOME").isEqualTo(COMMIT);
    }

    @Test
    void aMissingRepositoryRevisionOrFileIsNamed() {
        HubException repo = assertThrows(HubException.class, () -> fetch("locus-test/nothing-here", env()));
        assertThat(repo.getMessage()).contains("locus-test/nothing-here", "no such repository");

        HubException revision = assertThrows(HubException.class, () -> fetch(REPO + "@v9", env()));
        assertThat(revision.getMessage()).contains("no revision \"v9\"");

        Map<String, byte[]> noTokenizer = new TreeMap<>(files);
        noTokenizer.remove("tokenizer.json");
        hub.publish("locus-test/no-tokenizer", "main", COMMIT, noTokenizer);
        HubException file = assertThrows(HubException.class, () -> fetch("locus-test/no-tokenizer", env()));
        assertThat(file.getMessage()).contains("tokenizer.json", "404");
    }

    @Test
    void aHubThatCannotBeReachedIsAnErrorUnlessTheCacheHoldsTheRevision() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        HubEnvironment nowhere = env("HF_ENDPOINT", "http://127.0.0.1:" + closedPort);

        HubException refused = assertThrows(HubException.class, () -> fetch(REPO, nowhere));
        assertThat(refused.getMessage()).contains("cannot reach", "connection refused", "does not hold");

        fetch(REPO, env());
        HubOrigin.Located cached = fetch(REPO, nowhere);
        assertThat(cached.origin().commit()).isEqualTo(COMMIT);
        assertThat(log.toString()).contains("using commit " + COMMIT + " from the cache");
    }

    @Test
    void aHubErrorIsRetriedAndAPersistentOneIsReportedWithNothingCached() throws IOException {
        hub.fault("config.json", new LoopbackHub.Status(503, 2));
        assertThat(fetch(REPO, env()).origin().commit()).isEqualTo(COMMIT);
        assertThat(log.toString()).contains("503", "trying again");

        Files.walk(tmp.resolve("cache")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        hub.fault("tokenizer.json", new LoopbackHub.Status(503, 100));
        HubException down = assertThrows(HubException.class, () -> fetch(REPO, env()));
        assertThat(down.getMessage()).contains("tokenizer.json", "503");
        assertThat(repoFolder().resolve("snapshots").resolve(COMMIT).resolve("tokenizer.json")).doesNotExist();
        assertSnapshotsVerified();
    }

    @Test
    void aCutDownloadResumesFromItsOffsetInTheSameRun() throws IOException {
        hub.fault("model.safetensors", new LoopbackHub.CutAfter(300_000, 1));

        HubOrigin.Located found = fetch(REPO, env());

        assertThat(Files.readAllBytes(found.dir().resolve("model.safetensors"))).isEqualTo(files.get("model.safetensors"));
        List<String> ranges = hub.seen().stream().filter(s -> s.path().startsWith("cdn:")).map(LoopbackHub.Seen::range).toList();
        assertThat(ranges).hasSize(2).first().isNull();
        long resumedAt = resumedAt(ranges.get(1));
        assertThat(resumedAt).as("the offset the client had written").isPositive().isLessThanOrEqualTo(300_000);
        assertThat(log.toString()).contains("resuming at byte " + resumedAt);
        assertThat(hub.bytesServed(modelSha())).as("300000 bytes, then the rest from the offset on")
                .isEqualTo(300_000 + files.get("model.safetensors").length - resumedAt);
    }

    /**
     * N of a {@code bytes=N-} Range. The client may lose the last bytes sent before a cut (the JDK
     * client drops what it had not yet handed on when the connection fails), so N is what it had
     * written, at most where the server cut.
     */
    private static long resumedAt(String range) {
        assertThat(range).matches("bytes=\\d+-");
        return Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
    }

    @Test
    void aDownloadCutEveryTimeFailsKeepsItsBytesAndTheNextRunResumes() throws IOException {
        hub.fault("model.safetensors", new LoopbackHub.CutAfter(300_000, 100));
        Path partial = repoFolder().resolve("blobs").resolve(modelSha() + ".incomplete");

        HubException cut = assertThrows(HubException.class, () -> fetch(REPO, env()));

        long kept = Files.size(partial);
        assertThat(kept).isPositive().isLessThanOrEqualTo(300_000);
        assertThat(cut.getMessage()).contains("model.safetensors", "cut", kept + " of 820352 bytes are kept", "next run resumes");
        assertThat(repoFolder().resolve("snapshots").resolve(COMMIT).resolve("model.safetensors")).doesNotExist();
        assertSnapshotsVerified();

        hub.clearFaults();
        hub.forget();
        HubOrigin.Located found = fetch(REPO, env());
        assertThat(hub.bytesServed(modelSha())).as("the second run fetched only the rest").isEqualTo(820_352 - kept);
        assertThat(hub.seen()).filteredOn(s -> s.path().startsWith("cdn:")).extracting(LoopbackHub.Seen::range).containsExactly("bytes=" + kept + "-");
        assertThat(Files.readAllBytes(found.dir().resolve("model.safetensors"))).isEqualTo(files.get("model.safetensors"));
        assertThat(partial).doesNotExist();
    }

    @Test
    void aServerThatIgnoresRangeIsReadFromTheStart() throws IOException {
        hub.fault("model.safetensors", new LoopbackHub.CutAfter(300_000, 100));
        assertThrows(HubException.class, () -> fetch(REPO, env()));
        hub.fault("model.safetensors", new LoopbackHub.IgnoresRange());

        HubOrigin.Located found = fetch(REPO, env());

        assertThat(Files.readAllBytes(found.dir().resolve("model.safetensors"))).isEqualTo(files.get("model.safetensors"));
        assertThat(log.toString()).contains("ignored the range request");
    }

    @Test
    void wrongBytesAreNeverCached() throws IOException {
        hub.fault("model.safetensors", new LoopbackHub.WrongBytes());

        HubException wrong = assertThrows(HubException.class, () -> fetch(REPO, env()));

        assertThat(wrong.getMessage()).contains("model.safetensors", "sha256", modelSha(), "nothing was cached");
        assertThat(repoFolder().resolve("blobs").resolve(modelSha())).doesNotExist();
        assertThat(repoFolder().resolve("blobs").resolve(modelSha() + ".incomplete")).as("wrong bytes cannot be resumed").doesNotExist();
        assertThat(repoFolder().resolve("snapshots").resolve(COMMIT).resolve("model.safetensors")).doesNotExist();
        assertSnapshotsVerified();
    }

    /** A disk that fills: the partial download is a link to /dev/full, whose every write fails with ENOSPC. */
    @Test
    void aFullDiskIsAnErrorThatKeepsTheDownloadToResume() throws IOException {
        Path partial = repoFolder().resolve("blobs").resolve(modelSha() + ".incomplete");
        Files.createDirectories(partial.getParent());
        Files.createSymbolicLink(partial, Path.of("/dev/full"));

        HubException full = assertThrows(HubException.class, () -> fetch(REPO, env()));

        assertThat(full.getMessage()).contains(partial.toString(), "No space left on device", "free space and run again");
        assertThat(repoFolder().resolve("snapshots").resolve(COMMIT).resolve("model.safetensors")).doesNotExist();
        assertThat(repoFolder().resolve("blobs").resolve(modelSha())).doesNotExist();
    }

    @Test
    void aFileLargerThanTheFreeSpaceIsRefusedBeforeAnyByteIsDownloaded() {
        hub.fault("model.safetensors", new LoopbackHub.ClaimsSize(1L << 60));

        HubException full = assertThrows(HubException.class, () -> fetch(REPO, env()));

        assertThat(full.getMessage()).contains("model.safetensors", "GB more", "GB free", "HF_HUB_CACHE");
        assertThat(hub.bodyRequests(modelSha())).isZero();
    }

    @Test
    void twoRunsOnOneColdCacheDownloadEachBlobOnce() throws Exception {
        hub.fault("model.safetensors", new LoopbackHub.Slow(400));
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<HubOrigin.Located> a = two.submit(() -> fetch(REPO, env()));
            Future<HubOrigin.Located> b = two.submit(() -> fetch(REPO, env()));
            assertThat(a.get().dir()).isEqualTo(b.get().dir());
        } finally {
            two.shutdownNow();
        }
        assertThat(hub.bodyRequests(modelSha())).isEqualTo(1);
        assertThat(hub.bytesServed(modelSha())).isEqualTo(files.get("model.safetensors").length);
        assertThat(log.toString()).contains("waiting for another download of " + REPO + "/model.safetensors");
        assertSnapshotsVerified();
    }
}
