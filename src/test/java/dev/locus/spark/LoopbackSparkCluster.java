package dev.locus.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster for tests: a master and workers, each its own JVM started from
 * Spark's jars as Maven resolves Spark alone (target/spark-home-classpath.txt), every socket on loopback
 * (SPARK_LOCAL_IP), and stopped by process id, executors first, on close or when the test JVM exits.
 */
final class LoopbackSparkCluster implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(60);

    private final List<Process> daemons = new ArrayList<>();
    private final List<Path> workerLogs = new ArrayList<>();
    private final String master;
    private final Thread onExit = new Thread(this::stop);

    /** Starts a master and {@code workers} workers of one core each, and waits until every worker has registered. */
    LoopbackSparkCluster(Path dir, int workers) throws IOException, InterruptedException {
        Runtime.getRuntime().addShutdownHook(onExit);
        Path home = sparkHome(dir.resolve("spark-home"));
        String classpath = home.resolve("jars").toString() + "/*";
        int port = freePort();
        master = "spark://127.0.0.1:" + port;
        try {
            Path masterLog = dir.resolve("master.log");
            daemons.add(start(home, classpath, masterLog, List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                    "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort()))));
            for (int w = 0; w < workers; w++) {
                Path work = Files.createDirectories(dir.resolve("worker-" + w));
                Path log = dir.resolve("worker-" + w + ".log");
                workerLogs.add(log);
                daemons.add(start(home, classpath, log, List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                        "--port", Integer.toString(freePort()), "--webui-port", Integer.toString(freePort()), "--cores", "1",
                        "--memory", "2g", "--work-dir", work.toString(), master)));
            }
            for (Path log : workerLogs) {
                awaitLine(log, "Successfully registered with master", daemons);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            stop();
            throw e;
        }
    }

    String master() {
        return master;
    }

    /** The executor JVMs the workers have started, as the kernel lists them (/proc: ProcessHandle.Info cuts long command lines). */
    List<ProcessHandle> executors() {
        return daemons.stream().flatMap(Process::descendants).filter(p -> commandLine(p).contains("CoarseGrainedExecutorBackend")).toList();
    }

    private static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return "";
        }
    }

    /** Every JVM the cluster runs: its daemons and their executors. */
    List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>(executors());
        daemons.forEach(d -> all.add(d.toHandle()));
        return all;
    }

    @Override
    public void close() {
        stop();
        Runtime.getRuntime().removeShutdownHook(onExit);
    }

    private synchronized void stop() {
        List<ProcessHandle> all = new ArrayList<>();
        for (Process d : daemons) {
            d.descendants().forEach(all::add);
            all.add(d.toHandle());
        }
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        daemons.clear();
    }

    /**
     * A SPARK_HOME whose jars/ are links to Spark's own jars, as a distribution ships them (a
     * worker builds its executors' classpath from SPARK_HOME/jars): locus and its libraries reach
     * the executors only as a driver ships them.
     */
    private static Path sparkHome(Path home) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String entry : classpathFile("spark-home-classpath.txt")) {
            Path jar = Path.of(entry);
            Path link = jars.resolve(jar.getFileName());
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, jar);
            }
        }
        return home;
    }

    static List<String> classpathFile(String name) throws IOException {
        Path file = Path.of("target", name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: Maven writes it in generate-test-resources (mvn verify does)");
        }
        return Arrays.stream(Files.readString(file).trim().split(java.io.File.pathSeparator)).filter(s -> !s.isBlank()).toList();
    }

    private static Process start(Path home, String classpath, Path log, List<String> mainAndArgs) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", classpath));
        command.addAll(SparkModuleOptions.fromPom());
        command.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.remove("SPARK_CONF_DIR");
        return pb.start();
    }

    private static void awaitLine(Path log, String text, List<Process> daemons) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            if (daemons.stream().anyMatch(d -> !d.isAlive())) {
                throw new IllegalStateException("a Spark daemon exited while waiting for \"" + text + "\" in " + log + ":\n"
                        + Files.readString(log));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no \"" + text + "\" in " + log + " after " + START.toSeconds() + " s:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
