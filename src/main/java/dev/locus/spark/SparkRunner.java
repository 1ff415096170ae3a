package dev.locus.spark;

import dev.locus.LocusException;
import dev.locus.Provenance;
import dev.locus.measure.PairOutcome;
import dev.locus.measure.PairWork;
import dev.locus.measure.Plan;
import dev.locus.measure.Runner;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * Per-pair work as Spark tasks: one task per pair a stage runs (the most parallelism a stage has),
 * the plan's pairs and the checkpoints broadcast once, each stage's work (L*, the SVD basis) as a
 * broadcast of its own. Outcomes come back to the driver task by task and are journaled as they
 * arrive, so a driver killed mid-stage loses only the tasks still running. Spark retries a failed
 * task ({@code spark.task.maxFailures}, 4) on any executor; the result of a partition is taken once.
 */
public final class SparkRunner implements Runner {
    /** The master {@code spark-submit} gave, for {@code --spark} without a value. */
    public static final String SUBMITTED = "submitted";

    private final JavaSparkContext spark;
    private final String description;
    private final Broadcast<Shipment> shipment;

    private SparkRunner(JavaSparkContext spark, String description, Broadcast<Shipment> shipment) {
        this.spark = spark;
        this.description = description;
        this.shipment = shipment;
    }

    /**
     * Starts a Spark application for {@code plan} on {@code master} ({@code local[N]}, {@code local[*]},
     * {@code spark://host:port}, any master Spark takes, or {@link #SUBMITTED}).
     */
    public static SparkRunner start(String master, Plan plan, PrintStream log) {
        SparkConf conf = new SparkConf(true);
        String chosen = master.equals(SUBMITTED) ? conf.get("spark.master", null) : master;
        if (chosen == null) {
            throw new LocusException("--spark", "--spark", "no master given and none from spark-submit: name one, e.g. "
                    + "--spark local[2] or --spark spark://HOST:7077", null);
        }
        conf.setMaster(chosen).setAppName("locus " + plan.subject().name());
        boolean local = chosen.startsWith("local");
        boolean submitted = conf.contains("spark.submit.deployMode");
        conf.setIfMissing("spark.ui.enabled", "false");
        if (local || isLoopback(chosen)) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1").setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        int taskCores = taskCores(conf, chosen);
        conf.set("spark.task.cpus", Integer.toString(taskCores));
        if (!local && !submitted) {
            shipCode(conf);
        }
        conf.setIfMissing("spark.executor.extraJavaOptions", "-Dai.djl.offline=true");
        long starting = System.nanoTime();
        JavaSparkContext spark;
        try {
            spark = new JavaSparkContext(conf);
        } catch (RuntimeException e) {
            throw new LocusException(chosen, "--spark", "Spark did not start: " + e.getMessage(), e);
        }
        if (!local) {
            try {
                awaitExecutor(spark, chosen, log);
            } catch (RuntimeException e) {
                spark.stop(); // Spark's own last lines come now, before the refusal is printed
                throw e;
            }
        }
        String version = spark.version();
        String description = String.format(Locale.ROOT, "spark %s (Spark %s, %d core%s per task)", chosen, version, taskCores,
                taskCores == 1 ? "" : "s");
        log.printf(Locale.ROOT, "locus measure: per-pair work on %s, one task per pair; Spark started in %.1f s%n", description,
                (System.nanoTime() - starting) / 1e9);
        Checkpoints checkpoints = new Checkpoints(plan.subject().base().toAbsolutePath().toString(),
                plan.subject().tuned().toAbsolutePath().toString(), local ? null : hashes(plan, "base"), local ? null : hashes(plan, "tuned"),
                plan.device().getDeviceType(), plan.device().getDeviceId());
        try {
            return new SparkRunner(spark, description, spark.broadcast(new Shipment(plan.pairs(), plan.heldOut(), checkpoints)));
        } catch (RuntimeException e) {
            spark.stop();
            throw e;
        }
    }

    @Override
    public void run(PairWork work, int[] todo, Consumer<PairOutcome> done) {
        if (todo.length == 0) {
            return;
        }
        Broadcast<PairWork> stage = spark.broadcast(work);
        List<Integer> indices = Arrays.stream(todo).boxed().toList();
        JavaRDD<Integer> pairs = spark.parallelize(indices, indices.size());
        ClassTag<ArrayList<PairOutcome>> tag = ClassTag$.MODULE$.apply(ArrayList.class);
        try {
            spark.sc().runJob(pairs.rdd(), new PairTask(shipment, stage), new AbstractFunction2<Object, ArrayList<PairOutcome>, BoxedUnit>() {
                @Override
                public BoxedUnit apply(Object partition, ArrayList<PairOutcome> outcomes) {
                    outcomes.forEach(done);
                    return BoxedUnit.UNIT;
                }
            }, tag);
        } catch (Exception e) { // Spark's own SparkException is checked, thrown from Scala undeclared
            throw SparkFailure.explain(e, spark.master(), spark.sc().isStopped());
        } finally {
            stage.destroy();
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        spark.stop();
        if (spark.isLocal()) {
            ExecutorModels.release();
        }
    }

    /**
     * Waits until the cluster gave the application an executor, or Spark gave up on the master
     * (its registration attempts, about a minute in standalone mode): then a refusal naming it.
     */
    private static void awaitExecutor(JavaSparkContext spark, String master, PrintStream log) {
        long started = System.nanoTime();
        long told = started;
        while (spark.sc().statusTracker().getExecutorInfos().length < 2) {
            if (spark.sc().isStopped()) {
                throw new LocusException(master, "--spark", "the Spark application ended before any executor joined (Spark's "
                        + "log above says why; a master that never answered: is it running and reachable from here?)", null);
            }
            if (System.nanoTime() - told > 30_000_000_000L) {
                told = System.nanoTime();
                log.printf(Locale.ROOT, "locus measure: waiting for an executor from %s (%.0f s)%n", master, (told - started) / 1e9);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for executors", e);
            }
        }
    }

    /**
     * Cores per task: all of an executor's, so that its tasks take turns on the models it holds
     * once and each product runs on every core. local[N] gives N; a cluster gives
     * {@code spark.executor.cores} when set; else Spark's own {@code spark.task.cpus} (1).
     */
    static int taskCores(SparkConf conf, String master) {
        if (conf.contains("spark.task.cpus")) {
            return conf.getInt("spark.task.cpus", 1);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?]").matcher(master);
        if (m.matches()) {
            return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
        }
        if (master.equals("local")) {
            return 1;
        }
        return conf.getInt("spark.executor.cores", 1);
    }

    private static boolean isLoopback(String master) {
        return master.matches("spark://(127\\.0\\.0\\.1|localhost)(:\\d+)?");
    }

    /**
     * Executors need locus's classes and the libraries a Spark install lacks: the jar bin/locus runs
     * (or, run from Maven's class folder as the gate is, a jar of that folder) and the jars
     * target/runtime-classpath.txt beside it lists, shipped by Spark ({@code spark.jars}).
     */
    private static void shipCode(SparkConf conf) {
        Path code;
        try {
            code = Path.of(SparkRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("locus's own code source is not a path", e);
        }
        Path listed = code.resolveSibling("runtime-classpath.txt");
        if (!Files.isRegularFile(listed)) {
            throw new LocusException(listed.toString(), "--spark", "a cluster's executors are sent locus's jar and the jars this file "
                    + "lists, which Maven writes beside it: run bin/locus or mvn (they build it) or spark-submit (README \"Scale-out on "
                    + "Spark\")", null);
        }
        List<String> jars = new ArrayList<>();
        try {
            jars.add((Files.isDirectory(code) ? ClassFolderJar.temporary(code) : code).toString());
            jars.addAll(Arrays.asList(Files.readString(listed).trim().split(java.io.File.pathSeparator)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot gather locus's jars for the executors from " + code, e);
        }
        conf.setIfMissing("spark.jars", String.join(",", jars));
    }

    /** The driver's sha256 of each checkpoint file, by name, from the plan's provenance or hashed now. */
    private static Map<String, String> hashes(Plan plan, String role) {
        Provenance p = plan.provenance();
        Map<String, String> found = new TreeMap<>();
        p.sha256().forEach((key, hash) -> {
            if (key.startsWith(role + "/")) {
                found.put(key.substring(role.length() + 1), hash);
            }
        });
        if (found.isEmpty()) {
            try (dev.locus.model.Checkpoint c = dev.locus.model.Checkpoint.open(role.equals("base") ? plan.subject().base()
                    : plan.subject().tuned())) {
                return c.fileHashes();
            }
        }
        return found;
    }
}
