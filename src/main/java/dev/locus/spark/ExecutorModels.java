package dev.locus.spark;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.locus.LocusException;
import dev.locus.model.Checkpoint;
import dev.locus.model.Decoder;
import dev.locus.patching.Schedule;
import dev.locus.patching.Sweep;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Both checkpoints of a run, held once per executor JVM: loaded by the first task that needs them,
 * after their bytes are checked against the driver's sha256, and kept for every later task and
 * stage of the run. Tasks use them one at a time (the widening buffers of weights kept as stored
 * are shared), each with all the cores Spark gave it.
 */
final class ExecutorModels {
    private static Checkpoints loadedFor;
    private static NDManager root;
    private static Decoder.Pair models;
    private static Sweep sweep;

    private ExecutorModels() {}

    /** Runs {@code task} with the run's models, loading them first if this JVM holds none or another run's. */
    static synchronized <T> T with(Checkpoints checkpoints, Function<Held, T> task) {
        if (!checkpoints.equals(loadedFor)) {
            release();
            verify(checkpoints.base(), "base", checkpoints.baseHashes());
            verify(checkpoints.tuned(), "tuned", checkpoints.tunedHashes());
            NDManager manager = NDManager.newBaseManager(Device.of(checkpoints.deviceType(), checkpoints.deviceId()));
            try {
                models = Decoder.loadPair(Path.of(checkpoints.base()), Path.of(checkpoints.tuned()), manager);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
            root = manager;
            sweep = new Sweep(models.first(), models.second(), Schedule.CACHED);
            loadedFor = checkpoints;
        }
        return task.apply(new Held(root, sweep));
    }

    /** What a task runs with. */
    record Held(NDManager root, Sweep sweep) {}

    /** Closes the models this JVM holds, if any: an embedded Spark's executor is the driver's JVM, which lives on. */
    static synchronized void release() {
        if (models != null) {
            try (NDManager r = root) {
                models.close();
            }
        }
        models = null;
        root = null;
        sweep = null;
        loadedFor = null;
    }

    /** The checkpoint at {@code dir} as this host sees it must be the bytes the driver hashed. */
    private static void verify(String dir, String role, Map<String, String> expected) {
        Path path = Path.of(dir);
        if (!Files.isDirectory(path)) {
            throw new LocusException(dir, role + " checkpoint", "missing on executor host " + host()
                    + ": every executor must see the checkpoints at the driver's path (a shared filesystem)", null);
        }
        if (expected == null) {
            return;
        }
        Map<String, String> found;
        try (Checkpoint c = Checkpoint.open(path)) {
            found = c.fileHashes();
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String here = found.get(e.getKey());
            if (!e.getValue().equals(here)) {
                throw new LocusException(path.resolve(e.getKey()).toString(), role + " checkpoint", "differs on executor host "
                        + host() + ": sha256 " + (here == null ? "(file missing)" : here) + " here, " + e.getValue()
                        + " on the driver", null);
            }
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "(unknown host)";
        }
    }
}
