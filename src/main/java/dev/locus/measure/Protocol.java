package dev.locus.measure;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * What a measurement runs, as an expectations file sets it: its name, the run block, and what the
 * claims' sections ask measured (see {@code Claim#measuring}): the dose grid at L*, the subspace
 * ranks and how many random frames stand beside each, and the steering vectors' weights, random
 * directions and the rank of the projected vector ({@link #DEFAULT_STEERING} where no section sets
 * them), and the tokens of the continuations the report shows ({@link #CONTINUATION_TOKENS}; 0 for
 * none). The claims' thresholds are not part of it: they change no measured number.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Protocol(String name, Run run, List<Double> doseAlphas, List<Integer> ranks, int randomDraws, Steering steering,
        int continuationTokens) {

    /**
     * The steering measurement's settings.
     *
     * @param scales the weights c each vector is added with, positive
     * @param randomDraws random directions of the mean difference's norm
     * @param rank k of the projected vector: the mean difference on the top-k directions at L*
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Steering(List<Double> scales, int randomDraws, int rank) {}

    /** Measured where no claim's section sets it otherwise. */
    public static final Steering DEFAULT_STEERING = new Steering(List.of(1.0, 2.0), 3, 1);

    /** Tokens of each continuation the report shows. */
    public static final int CONTINUATION_TOKENS = 16;

    /** The run alone, before the claims add what they need measured. */
    public static Protocol of(String name, Run run) {
        return new Protocol(name, run, List.of(), List.of(), 0, DEFAULT_STEERING, CONTINUATION_TOKENS);
    }

    public Protocol withDoseAlphas(List<Double> alphas) {
        return new Protocol(name, run, List.copyOf(alphas), ranks, randomDraws, steering, continuationTokens);
    }

    public Protocol withSubspaces(List<Integer> ranks, int randomDraws) {
        return new Protocol(name, run, doseAlphas, List.copyOf(ranks), randomDraws, steering, continuationTokens);
    }

    public Protocol withSteering(Steering steering) {
        return new Protocol(name, run, doseAlphas, ranks, randomDraws, steering, continuationTokens);
    }

    /** The same without the report's continuations (a benchmark's random checkpoints have no tokenizer to read them). */
    public Protocol withoutContinuations() {
        return new Protocol(name, run, doseAlphas, ranks, randomDraws, steering, 0);
    }
}
