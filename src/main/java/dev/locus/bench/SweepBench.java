package dev.locus.bench;

import dev.locus.fixtures.BenchCheckpoint;
import dev.locus.fixtures.RandomCheckpoint;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locus.model.Gemm;
import dev.locus.model.DecoderConfig;
import dev.locus.ResidentMemory;
import dev.locus.model.Decoder;
import dev.locus.model.Meter;
import dev.locus.patching.Direction;
import dev.locus.patching.Intervention;
import dev.locus.model.Point;
import dev.locus.patching.PatchPositions;
import dev.locus.patching.Prompted;
import dev.locus.patching.Schedule;
import dev.locus.patching.Sweep;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The patching sweep's cost on two random checkpoints of a released shape: every layer's
 * {@code resid_post} patched in both directions on one pair of random tokens, under each schedule
 * given (cached: shared prefixes computed once; naive: every sequence whole, one forward per patched
 * layer), in one process.
 *
 * @param benchDir where the random checkpoints live (generated when absent)
 * @param seeds weights seeds of base and tuned
 * @param schedules in the order timed; the margin difference needs both
 */
public record SweepBench(Path benchDir, RandomCheckpoint.Shape shape, long[] seeds, int promptTokens, int chosenTokens,
        int rejectedTokens, List<Schedule> schedules) {

    /** Measures, with a line per figure on {@code err}; returns the figures. */
    public ObjectNode run(PrintStream err) {
        DecoderConfig config = shape.config();
        Path[] dirs = {BenchCheckpoint.ensure(benchDir, shape, seeds[0], "bench-sweep"),
                BenchCheckpoint.ensure(benchDir, shape, seeds[1], "bench-sweep")};
        Random random = new Random(seeds[0] * 31 + seeds[1]);
        Prompted pair = new Prompted("bench", random.ints(promptTokens, 0, config.vocabSize()).toArray(),
                List.of(random.ints(chosenTokens, 0, config.vocabSize()).toArray(),
                        random.ints(rejectedTokens, 0, config.vocabSize()).toArray()));
        List<Sweep.Cell> cells = new ArrayList<>();
        for (int l = 0; l < config.numLayers(); l++) {
            cells.add(new Sweep.Cell(Point.residPost(l), Intervention.replace(PatchPositions.ALL)));
        }
        List<Direction> both = List.of(Direction.TUNED_TO_BASE, Direction.BASE_TO_TUNED);
        ObjectNode report = new ObjectMapper().createObjectNode();
        report.put("shape", shape.label());
        report.put("pair", promptTokens + " prompt + " + chosenTokens + "/" + rejectedTokens + " completion tokens");
        report.put("cells", cells.size() + " x resid_post replace, both directions");
        FmaCeiling.Result ceiling = FmaCeiling.measure();
        report.put("fma_ceiling_gflops", ceiling.gflops());
        report.put("fma_ceiling", ceiling.describe());
        report.put("matmul_route", Gemm.choice().description());
        err.println("locus bench-sweep: fp32 FMA ceiling of this machine: " + ceiling.describe());
        try (NDManager root = NDManager.newBaseManager();
                Decoder.Pair models = Decoder.loadPair(dirs[0], dirs[1], root)) {
            Decoder base = models.first();
            Decoder tuned = models.second();
            double[] seconds = new double[2];
            double[] margins = new double[2 * cells.size()];
            for (Schedule schedule : schedules) {
                Meter.Reading before = base.metered().plus(tuned.metered());
                List<Sweep.PairResult> results = new ArrayList<>();
                double[] wall = new double[1];
                List<Profile.Share> profile = Profile.of(() -> {
                    long t0 = System.nanoTime();
                    new Sweep(base, tuned, schedule).run(root, List.of(pair), cells, both, results::add);
                    wall[0] = (System.nanoTime() - t0) / 1e9;
                }, Profile.PERIOD);
                double s = wall[0];
                Meter.Reading cost = base.metered().plus(tuned.metered()).since(before);
                long blocks = cost.blockEvaluations();
                long tokenBlocks = cost.tokenBlocks();
                long headRows = cost.headRows();
                double gflop = (tokenBlocks * Timing.forwardFlops(config, 1, 0) / config.numLayers()
                        + headRows * 2.0 * config.hiddenSize() * config.vocabSize()) / 1e9;
                ObjectNode node = report.putObject(schedule.name().toLowerCase(Locale.ROOT));
                node.put("seconds", s);
                node.put("block_evaluations", blocks);
                node.put("token_blocks", tokenBlocks);
                node.put("head_rows", headRows);
                node.put("gflop_without_attention_scores", gflop);
                node.put("gflops", gflop / s);
                node.put("share_of_ceiling", gflop / s / ceiling.gflops());
                node.set("profile", new ObjectMapper().valueToTree(profile));
                node.put("forward_equivalents", results.get(0).forwardEquivalents());
                seconds[schedule.ordinal()] = s;
                List<Sweep.Patched> patched = results.get(0).patched();
                for (int i = 0; i < patched.size(); i++) {
                    if (schedule == Schedule.CACHED) {
                        margins[i] = patched.get(i).margin().margin();
                    } else if (seconds[Schedule.CACHED.ordinal()] > 0) {
                        report.put("max_margin_difference", Math.max(report.path("max_margin_difference").asDouble(0),
                                Math.abs(margins[i] - patched.get(i).margin().margin())));
                    }
                }
                err.printf(Locale.ROOT, "locus bench-sweep: %s: %.1f s, %d block evaluations, %d token-blocks, %d head rows, %.0f GFLOP, "
                        + "%.1f GFLOP/s = %.2f of the ceiling, %.2f forward-equivalents%n", schedule, s, blocks, tokenBlocks, headRows, gflop,
                        gflop / s, gflop / s / ceiling.gflops(), results.get(0).forwardEquivalents());
                for (Profile.Share share : profile) {
                    err.printf(Locale.ROOT, "locus bench-sweep:   %5.1f %%  %s%n", 100 * share.share(), share.primitive());
                }
            }
            if (seconds[0] > 0 && seconds[1] > 0) {
                report.put("speedup", seconds[1] / seconds[0]);
                err.printf(Locale.ROOT, "locus bench-sweep: cached is %.2fx faster than naive%n", seconds[1] / seconds[0]);
            }
        }
        ResidentMemory memory = ResidentMemory.now();
        memory.fields().forEach(report::put);
        err.println("locus bench-sweep: " + memory.describe());
        return report;
    }
}
