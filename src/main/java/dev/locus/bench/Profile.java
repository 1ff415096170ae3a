package dev.locus.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a piece of work's wall time goes, by primitive of the forward pass: Java Flight Recorder
 * samples the calling thread every few milliseconds, in Java and in native code (libtorch's and
 * OpenBLAS's calls block it until done), and each sample goes to the innermost frame of its stack
 * that names a primitive. No code is added to the forward itself.
 */
public final class Profile {
    /** The benchmarks' sampling period. */
    public static final java.time.Duration PERIOD = java.time.Duration.ofMillis(10);

    /** One primitive's share of the samples. */
    public record Share(String primitive, int samples, double share) {}

    /** Method (class simple name and method) to the primitive it computes, innermost match wins. */
    private static final Map<String, String> PRIMITIVES = new LinkedHashMap<>();

    static {
        PRIMITIVES.put("Gemm.linear", "matmul (projections, MLP, head)");
        PRIMITIVES.put("Primitives.rmsNorm", "rmsNorm");
        PRIMITIVES.put("Decoder.rope", "rope");
        PRIMITIVES.put("Decoder.attend", "attention (scores, mask, softmax, mixing)");
        PRIMITIVES.put("Decoder.mlp", "gated MLP elementwise");
        PRIMITIVES.put("RunRows.of", "rotary tables and masks");
        PRIMITIVES.put("Decoder.embed", "embedding");
        PRIMITIVES.put("WideningBuffers.widenInto", "widening stored weights to float32");
        PRIMITIVES.put("Head.logprobs", "log-softmax and gather");
        PRIMITIVES.put("Head.tokenLogprobs", "log-softmax and gather");
        PRIMITIVES.put("Decoder.attention", "attention (split, concat)");
        PRIMITIVES.put("Decoder.block", "residual adds");
        PRIMITIVES.put("StackedRuns.run", "stacking runs");
        PRIMITIVES.put("CleanRun.of", "clean runs (other)");
        PRIMITIVES.put("Patcher.delta", "interventions");
        PRIMITIVES.put("Patcher.prepare", "patched passes (packing)");
        PRIMITIVES.put("Scoring.request", "scoring (row selection)");
        PRIMITIVES.put("Scoring.resolve", "scoring (concat)");
    }

    private Profile() {}

    /** Runs {@code work} under a sampling recording and returns the shares, largest first. */
    public static List<Share> of(Runnable work, Duration period) {
        Thread caller = Thread.currentThread();
        Path file;
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ExecutionSample").withPeriod(period);
            recording.enable("jdk.NativeMethodSample").withPeriod(period);
            recording.start();
            work.run();
            recording.stop();
            file = Files.createTempFile("locus-profile", ".jfr");
            recording.dump(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the profile's recording", e);
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        int total = 0;
        try {
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                if (event.getThread("sampledThread") == null || event.getThread("sampledThread").getJavaThreadId() != caller.getId()
                        || event.getStackTrace() == null) {
                    continue;
                }
                counts.merge(primitive(event.getStackTrace().getFrames()), 1, Integer::sum);
                total++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the profile's recording " + file, e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temporary file left behind is harmless
            }
        }
        List<Share> shares = new ArrayList<>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            shares.add(new Share(e.getKey(), e.getValue(), total == 0 ? 0 : (double) e.getValue() / total));
        }
        shares.sort((a, b) -> Integer.compare(b.samples(), a.samples()));
        return shares;
    }

    private static String primitive(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String type = f.getMethod().getType().getName();
            String key = type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
            String p = PRIMITIVES.get(key);
            if (p != null) {
                return p;
            }
        }
        return "other (outside the forward's primitives)";
    }
}
