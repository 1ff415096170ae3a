package dev.locus.measure;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * What a measurement runs, as an expectations file sets it: its name, the run block, the dose
 * grid at L*, the subspace ranks and how many random frames stand beside each. The claims'
 * thresholds are not part of it: they change no measured number.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Protocol(String name, Run run, List<Double> doseAlphas, List<Integer> ranks, int randomDraws) {}
