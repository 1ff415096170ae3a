package dev.locus.cli;

import dev.locus.fixtures.RandomCheckpoint;
import dev.locus.model.DType;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes a random checkpoint in the Hugging Face layout, for demos and benchmarks. */
@Command(name = "random-checkpoint", mixinStandardHelpOptions = true,
        description = "Write a random checkpoint of a named shape in the Hugging Face layout (config.json, model.safetensors; tokenizer.json for tiny).")
public final class RandomCheckpointCommand implements Callable<Integer> {
    @Option(names = "--shape", defaultValue = "tiny", description = RandomCheckpoint.Shape.CHOICES + " (default ${DEFAULT-VALUE})")
    String shape;

    @Option(names = "--dtype", defaultValue = "F32", description = "F32 | BF16 on disk (default ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--seed", defaultValue = "1", description = "Weights seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        RandomCheckpoint.write(out, Arguments.parse("--shape", shape, RandomCheckpoint.Shape::parse).config(), Arguments.parse("--dtype", dtype, DType::parse), seed);
        System.err.printf("locus random-checkpoint: %s %s seed %d -> %s (%.1f s)%n", shape, dtype, seed, out,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
