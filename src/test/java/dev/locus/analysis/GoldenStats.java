package dev.locus.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locus.Golden;

/** Reads {@code golden/stats/} (copied from ../shared/golden/stats). */
final class GoldenStats {
    private GoldenStats() {}

    static JsonNode cases(String file) {
        return Golden.json(Golden.dir("stats").resolve(file)).get("cases");
    }

    static double[] vector(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).doubleValue();
        }
        return out;
    }

    static double[][] matrix(JsonNode rows) {
        double[][] out = new double[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = vector(rows.get(i));
        }
        return out;
    }
}
