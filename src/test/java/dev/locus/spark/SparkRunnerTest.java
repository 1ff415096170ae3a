package dev.locus.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.TestFixtures;
import dev.locus.cli.Main;
import dev.locus.fixtures.Fixture;
import dev.locus.measure.InProcess;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * reproduce --spark as a user runs it, each driver its own JVM (bin/locus's flags, the test
 * classpath): on local[2] and on a standalone cluster of two one-core workers on loopback, the
 * results.json of the single-JVM run; an executor killed mid-sweep, a driver killed mid-run and
 * resumed in the other mode, a checkpoint missing or different on the executors, a master that
 * never answers. Few pairs of the smallest fixture: the ten the claims need at least (too few for
 * asymmetry's test to reach p < 0.01, so every run exits 1, the single JVM's as well).
 */
class SparkRunnerTest {
    private static final String PAIRS = "10";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path tmp;

    private static Path fixture;
    /** locus as bin/locus runs it: its jar, with target/runtime-classpath.txt beside it. */
    private static Path jar;
    private static JsonNode single;
    private static int singleExit;
    private static LoopbackSparkCluster cluster;
    private static Process unreachable;
    private static Process local;
    private static String unreachableMaster;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        fixture = TestFixtures.of(Fixture.Kind.LOCALIZED).toAbsolutePath();
        jar = LocusJar.build(tmp.resolve("lib"));
        // Spark gives a master that never answers about a minute of registration attempts: that run goes alongside the others.
        unreachableMaster = "spark://127.0.0.1:" + freePort();
        unreachable = driver(reproduce(tmp.resolve("unreachable"), "--spark", unreachableMaster), tmp.resolve("unreachable.log"));
        // The fixture's products are too small to keep two cores busy: the reference run, the local[2] run and the
        // cluster's start go side by side.
        Process reference = driver(reproduce(tmp.resolve("single")), tmp.resolve("single.log"));
        local = driver(reproduce(tmp.resolve("local"), "--spark", "local[2]"), tmp.resolve("local.log"));
        cluster = new LoopbackSparkCluster(tmp.resolve("cluster"), 2);
        singleExit = reference.waitFor();
        assertThat(singleExit).as("the single JVM's run ends with its verdicts").isIn(0, 1);
        single = JSON.readTree(tmp.resolve("single/results.json").toFile());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        for (Process p : new Process[] {unreachable, local}) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void localTwoGivesTheSingleJvmResults() throws IOException, InterruptedException {
        assertThat(local.waitFor()).isEqualTo(singleExit);
        assertSameAsSingle(tmp.resolve("local"), "spark local[2] (Spark ");
    }

    /**
     * A standalone cluster gives the single JVM's results, every process of it listening on loopback
     * only, even when one of its two executors is killed (SIGKILL) in the middle of the sweep stage.
     */
    @Test
    void aStandaloneClusterGivesTheSingleJvmResultsWhenAnExecutorIsKilledMidSweep() throws IOException, InterruptedException {
        Path out = tmp.resolve("killed-executor");
        Path log = tmp.resolve("killed-executor.log");
        Process driver = driver(reproduce(out, "--spark", cluster.master()), log);
        awaitUnits(out.resolve("journal.jsonl"), 1, driver);
        List<ProcessHandle> executors = cluster.executors();
        assertThat(executors).hasSize(2);
        List<ProcessHandle> running = new ArrayList<>(cluster.processes());
        running.add(driver.toHandle());
        assertThat(listeningSockets(running)).isNotEmpty().allMatch(a -> a.startsWith("127.0.0.1:"), "bound to loopback");
        assertThat(unitsIn(out.resolve("journal.jsonl"))).allMatch(u -> u.startsWith("layers/"), "still in the sweep stage");
        executors.get(0).destroyForcibly();
        assertThat(driver.waitFor()).as(Files.readString(log)).isEqualTo(singleExit);
        assertThat(Files.readString(log)).contains("Lost executor");
        assertSameAsSingle(out, "spark " + cluster.master() + " (Spark ");
        assertEveryUnitOnce(out);
    }

    /** The driver, started by README's spark-submit recipe, killed mid-run: resumed in one JVM with no unit measured twice. */
    @Test
    void aSubmittedDriverKilledMidRunIsResumedInOneJvmWithNoUnitTwice() throws IOException, InterruptedException {
        Path out = tmp.resolve("killed-driver");
        killMidRunThenResume(out, submitted(reproduce(out), tmp.resolve("killed-driver.log")));
        assertSameAsSingle(out, InProcess.DESCRIPTION);
    }

    @Test
    void aSingleJvmKilledMidRunIsResumedOnSparkWithNoUnitTwice() throws IOException, InterruptedException {
        Path out = tmp.resolve("killed-single");
        killMidRunThenResume(out, driver(reproduce(out), tmp.resolve("killed-single.log")), "--spark", "local[2]");
        assertSameAsSingle(out, "spark local[2] (Spark ");
    }

    /**
     * Kills (SIGKILL) {@code driver} once its journal holds three units, resumes the run with
     * {@code --resume} and {@code resumeArgs}: it ends as the single JVM's did, resuming every unit
     * journaled before the kill and journaling each unit once.
     */
    private static void killMidRunThenResume(Path out, Process driver, String... resumeArgs) throws IOException, InterruptedException {
        awaitUnits(out.resolve("journal.jsonl"), 3, driver);
        driver.destroyForcibly().waitFor();
        int before = unitsIn(out.resolve("journal.jsonl")).size();
        List<String> resume = new ArrayList<>(List.of("--resume"));
        resume.addAll(List.of(resumeArgs));
        Path log = tmp.resolve(out.getFileName() + "-resumed.log");
        assertThat(driver(reproduce(out, resume.toArray(String[]::new)), log).waitFor()).isEqualTo(singleExit);
        assertThat(Files.readString(log)).contains(before + " units already done");
        assertEveryUnitOnce(out);
    }

    @Test
    void aCheckpointMissingOnTheExecutorsIsExitTwoNamingItAndTheHost() throws IOException, InterruptedException {
        // The driver and the executors read /proc/self/cwd/../../ckpt from different working folders:
        // the driver's has the checkpoints, the executors' (a worker's app folder) none. The driver runs from
        // Maven's class folder, as the gate does: the refusal raised on the executors shows they ran locus's code.
        Path cwd = Files.createDirectories(tmp.resolve("missing/a/b"));
        linkCheckpoints(tmp.resolve("missing"), fixture.resolve("base"), fixture.resolve("tuned"));
        Path out = tmp.resolve("missing/out");
        Path log = tmp.resolve("missing.log");
        assertThat(driverFromClassFolderIn(cwd, reproduceRelative(out, "--spark", cluster.master()), log).waitFor())
                .isEqualTo(Main.BAD_INPUT);
        assertThat(lastLine(log)).startsWith("locus: /proc/self/cwd/../../ckpt/base: base checkpoint: missing on executor host ");
        assertThat(Files.readAllLines(log)).filteredOn(l -> l.startsWith("locus:")).hasSize(1);
        assertNothingWritten(out);
    }

    @Test
    void aCheckpointWithOtherBytesOnTheExecutorsIsExitTwoNamingFileAndBothHashes() throws IOException, InterruptedException {
        Path cwd = Files.createDirectories(tmp.resolve("differs/a/b"));
        linkCheckpoints(tmp.resolve("differs"), fixture.resolve("base"), fixture.resolve("tuned"));
        // What the executors see at the same path: the tuned weights where the base's should be.
        for (int w = 0; w < 2; w++) {
            linkCheckpoints(tmp.resolve("cluster/worker-" + w), fixture.resolve("tuned"), fixture.resolve("tuned"));
        }
        Path out = tmp.resolve("differs/out");
        Path log = tmp.resolve("differs.log");
        try {
            assertThat(driverIn(cwd, reproduceRelative(out, "--spark", cluster.master()), log).waitFor()).isEqualTo(Main.BAD_INPUT);
        } finally {
            for (int w = 0; w < 2; w++) {
                Path ckpt = tmp.resolve("cluster/worker-" + w + "/ckpt");
                Files.delete(ckpt.resolve("base"));
                Files.delete(ckpt.resolve("tuned"));
            }
        }
        String base = sha256(fixture.resolve("base/model.safetensors"));
        String tuned = sha256(fixture.resolve("tuned/model.safetensors"));
        assertThat(lastLine(log)).startsWith("locus: /proc/self/cwd/../../ckpt/base/model.safetensors: base checkpoint: differs on executor host ")
                .endsWith(": sha256 " + tuned + " here, " + base + " on the driver");
        assertNothingWritten(out);
    }

    @Test
    void aMasterThatNeverAnswersIsExitTwoNamingItAfterSparksRetries() throws IOException, InterruptedException {
        assertThat(unreachable.waitFor(5, TimeUnit.MINUTES)).isTrue();
        Path log = tmp.resolve("unreachable.log");
        assertThat(unreachable.exitValue()).as(Files.readString(log)).isEqualTo(Main.BAD_INPUT);
        assertThat(Files.readString(log)).contains("All masters are unresponsive");
        // Spark's client logs its attempts, and one line more as it stops; locus's own is one line among them.
        assertThat(Files.readAllLines(log)).filteredOn(l -> l.startsWith("locus:")).singleElement().asString()
                .startsWith("locus: " + unreachableMaster + ": --spark: the Spark application ended before any executor joined");
        assertNothingWritten(tmp.resolve("unreachable"));
    }

    @Test
    void aTaskTakesAllOfAnExecutorsCores() {
        org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf(false);
        assertThat(SparkRunner.taskCores(conf, "local[3]")).isEqualTo(3);
        assertThat(SparkRunner.taskCores(conf, "local[3,2]")).isEqualTo(3);
        assertThat(SparkRunner.taskCores(conf, "local[*]")).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(SparkRunner.taskCores(conf, "local")).isEqualTo(1);
        assertThat(SparkRunner.taskCores(conf, "spark://h:7077")).isEqualTo(1);
        assertThat(SparkRunner.taskCores(conf.clone().set("spark.executor.cores", "8"), "spark://h:7077")).isEqualTo(8);
        assertThat(SparkRunner.taskCores(conf.clone().set("spark.executor.cores", "8").set("spark.task.cpus", "2"), "spark://h:7077"))
                .isEqualTo(2);
    }

    private static void assertSameAsSingle(Path out, String runner) throws IOException {
        JsonNode run = JSON.readTree(out.resolve("results.json").toFile());
        assertThat(((ObjectNode) run.get("provenance").get("config")).remove("runner").asText()).startsWith(runner);
        JsonNode expected = single.deepCopy();
        ((ObjectNode) expected.get("provenance").get("config")).remove("runner");
        assertThat(run.get("measurement")).isEqualTo(expected.get("measurement"));
        assertThat(run.get("claims")).isEqualTo(expected.get("claims"));
        assertThat(run).isEqualTo(expected);
    }

    private static void assertEveryUnitOnce(Path out) throws IOException {
        List<String> units = unitsIn(out.resolve("journal.jsonl"));
        Set<String> distinct = new HashSet<>(units);
        assertThat(units).hasSize(distinct.size());
        // 10 pairs in the sweep and dose stages, the 5 held out in the subspace and steering stages, the SVD, and the 3
        // held-out pairs whose continuations the report shows.
        assertThat(distinct).hasSize(10 + 10 + 5 + 5 + 1 + 3);
    }

    /** No result, no report, and no unit in the journal (if one was opened, it can be resumed once the cause is fixed). */
    private static void assertNothingWritten(Path out) throws IOException {
        if (Files.exists(out)) {
            try (var entries = Files.list(out)) {
                assertThat(entries.map(e -> e.getFileName().toString()).toList()).isSubsetOf("journal.jsonl");
            }
            if (Files.exists(out.resolve("journal.jsonl"))) {
                assertThat(unitsIn(out.resolve("journal.jsonl"))).isEmpty();
            }
        }
    }

    private static List<String> reproduce(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("reproduce", "--base", fixture.resolve("base").toString(), "--tuned",
                fixture.resolve("tuned").toString(), "--expect", Path.of("expectations/fixture-localized.yaml").toAbsolutePath().toString(),
                "--pairs", TestFixtures.SHIPPED_PAIRS.toAbsolutePath().toString(), "--n", PAIRS, "--out", out.toString()));
        args.addAll(List.of(more));
        return args;
    }

    private static List<String> reproduceRelative(Path out, String... more) {
        List<String> args = reproduce(out, more);
        args.set(args.indexOf("--base") + 1, "/proc/self/cwd/../../ckpt/base");
        args.set(args.indexOf("--tuned") + 1, "/proc/self/cwd/../../ckpt/tuned");
        return args;
    }

    private static void linkCheckpoints(Path dir, Path base, Path tuned) throws IOException {
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        Files.createSymbolicLink(ckpt.resolve("base"), base);
        Files.createSymbolicLink(ckpt.resolve("tuned"), tuned);
    }

    private static Process driver(List<String> args, Path log) throws IOException {
        return driverIn(Path.of("").toAbsolutePath(), args, log);
    }

    /** A driver JVM as bin/locus starts one: its module flags, offline DJL, locus's jar and both classpath files' jars. */
    private static Process driverIn(Path cwd, List<String> args, Path log) throws IOException {
        List<String> classpath = new ArrayList<>(List.of(jar.toString()));
        classpath.addAll(LoopbackSparkCluster.classpathFile("runtime-classpath.txt"));
        classpath.addAll(LoopbackSparkCluster.classpathFile("spark-classpath.txt"));
        return jvm(cwd, String.join(File.pathSeparator, classpath), args, log);
    }

    /** A driver JVM as the gate's test JVM is one: the same flags, locus from Maven's class folder (target/classes). */
    private static Process driverFromClassFolderIn(Path cwd, List<String> args, Path log) throws IOException {
        return jvm(cwd, System.getProperty("java.class.path"), args, log);
    }

    private static Process jvm(Path cwd, String classpath, List<String> args, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx2g", "-Dai.djl.offline=true"));
        command.addAll(SparkModuleOptions.fromPom());
        command.addAll(List.of("-cp", classpath, Main.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * README's spark-submit recipe, spark-submit being its main class on Spark's own jars (as
     * bin/spark-submit runs it, with the module flags its launcher adds): locus's jar, its
     * libraries as --jars, and reproduce --spark with no master (the one spark-submit gives).
     */
    private static Process submitted(List<String> args, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx2g"));
        command.addAll(SparkModuleOptions.fromPom());
        command.addAll(List.of("-cp", tmp.resolve("cluster/spark-home/jars") + "/*", "org.apache.spark.deploy.SparkSubmit",
                "--master", cluster.master(), "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--driver-java-options", "-Dai.djl.offline=true", "--class", Main.class.getName(),
                "--jars", String.join(",", LoopbackSparkCluster.classpathFile("runtime-classpath.txt")), jar.toString()));
        command.addAll(args);
        command.add("--spark");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", tmp.resolve("cluster/spark-home").toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    /** Waits until the journal holds {@code units} finished units (besides its identity line) while the driver runs. */
    private static void awaitUnits(Path journal, int units, Process driver) throws IOException, InterruptedException {
        while (!Files.exists(journal) || unitsIn(journal).size() < units) {
            assertThat(driver.isAlive()).as("the driver ended before %d units", units).isTrue();
            Thread.sleep(20);
        }
    }

    private static List<String> unitsIn(Path journal) throws IOException {
        List<String> units = new ArrayList<>();
        for (String line : Files.readAllLines(journal)) {
            try {
                JsonNode node = JSON.readTree(line);
                if (node.has("unit")) {
                    units.add(node.get("unit").asText());
                }
            } catch (IOException cutShort) {
                break;
            }
        }
        return units;
    }

    /** The TCP sockets the given processes listen on, as local address:port, from /proc. */
    private static List<String> listeningSockets(List<ProcessHandle> processes) throws IOException {
        Set<String> inodes = new HashSet<>();
        for (ProcessHandle p : processes) {
            Path fds = Path.of("/proc", Long.toString(p.pid()), "fd");
            try (var links = Files.list(fds)) {
                for (Path fd : (Iterable<Path>) links::iterator) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            inodes.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException gone) {
                        // closed between the listing and the read
                    }
                }
            }
        }
        List<String> listening = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) {
                    listening.add(address(f[1]));
                }
            }
        }
        return listening;
    }

    /** /proc/net/tcp's hex address:port as dotted IPv4 (IPv4-mapped for tcp6), or the hex of another IPv6 address. */
    private static String address(String hex) {
        String[] parts = hex.split(":");
        String ip = parts[0];
        int port = Integer.parseInt(parts[1], 16);
        if (ip.length() == 32) {
            if (!ip.startsWith("0000000000000000FFFF0000")) {
                return ip + ":" + port;
            }
            ip = ip.substring(24);
        }
        long v = Long.parseLong(ip, 16);
        return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff) + ":" + port;
    }

    private static String lastLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static String sha256(Path file) {
        return dev.locus.Sha256.of(file);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
