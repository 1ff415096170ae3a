package dev.locus.spark;

import java.io.Serializable;
import java.util.Map;

/**
 * The two checkpoints as every executor must find them: their paths (a filesystem all executors
 * share) and the sha256 of each file the driver read, by file name; null hashes where the driver's
 * own JVM runs the tasks (local mode reads the very files it hashed).
 */
record Checkpoints(String base, String tuned, Map<String, String> baseHashes, Map<String, String> tunedHashes, String deviceType,
        int deviceId)
        implements Serializable {}
