package dev.locus.cli;

import dev.locus.fixtures.RandomCheckpoint;
import dev.locus.model.DType;
import dev.locus.model.LlamaConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The random BF16 checkpoints the benchmarks run on, generated once under
 * {@code BENCH_DIR/SHAPE-random-seedSEED} and reused while their config matches. A marker written
 * last tells a complete generation from an interrupted one, which is generated again.
 */
final class BenchCheckpoint {
    private static final String COMPLETE = "generated.complete";

    private BenchCheckpoint() {}

    static Path ensure(Path benchDir, String shape, long seed, String command) {
        LlamaConfig config = RandomCheckpointCommand.parseShape(shape).config();
        Path dir = benchDir.resolve(shape + "-random-seed" + seed);
        if (Files.isRegularFile(dir.resolve(COMPLETE)) && config.equals(LlamaConfig.read(dir))) {
            return dir;
        }
        System.err.printf("locus %s: generating %s BF16 seed %d in %s%n", command, shape, seed, dir);
        try {
            Files.deleteIfExists(dir.resolve(COMPLETE));
            RandomCheckpoint.write(dir, config, DType.BF16, seed);
            Files.writeString(dir.resolve(COMPLETE), shape + " seed " + seed + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the benchmark checkpoint in " + dir, e);
        }
        return dir;
    }
}
