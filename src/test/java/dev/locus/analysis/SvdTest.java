package dev.locus.analysis;

import static dev.locus.analysis.GoldenStats.cases;
import static dev.locus.analysis.GoldenStats.matrix;
import static dev.locus.analysis.GoldenStats.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locus.Tolerance;
import java.util.Iterator;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SvdTest {
    @Test
    void matchesNumpyOnEveryGoldenCase() {
        for (JsonNode c : cases("svd.json")) {
            String name = c.get("name").asText();
            Svd svd = Svd.of(matrix(c.get("A")));
            double[] expected = vector(c.get("singular_values"));
            double[] found = svd.singularValues();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], found[i], Tolerance.STATISTIC * expected[i], name + " sigma " + i);
            }
            double[] energy = vector(c.get("energy_fraction"));
            for (int i = 0; i < energy.length; i++) {
                assertEquals(energy[i], svd.energyFraction()[i], Tolerance.STATISTIC, name + " energy " + i);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = c.get("projectors").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                double[][] p = matrix(e.getValue());
                double[][] q = svd.projector(Integer.parseInt(e.getKey()));
                for (int a = 0; a < p.length; a++) {
                    for (int b = 0; b < p.length; b++) {
                        assertEquals(p[a][b], q[a][b], 1e-8, name + " projector k=" + e.getKey());
                    }
                }
            }
        }
    }

    /** The squared singular values add up to the squared Frobenius norm, and the full projector reproduces every row. */
    @Property(tries = 30)
    void reconstructsItsInput(@ForAll @IntRange(min = 4, max = 30) int rows, @ForAll @IntRange(min = 1, max = 8) int cols, @ForAll long seed) {
        double[][] a = LassoTest.random(Math.max(rows, cols), cols, seed);
        Svd svd = Svd.of(a);
        double frobenius = 0;
        for (double[] row : a) {
            for (double v : row) {
                frobenius += v * v;
            }
        }
        double sum = 0;
        for (double s : svd.singularValues()) {
            sum += s * s;
        }
        assertEquals(frobenius, sum, Tolerance.FLOAT64_LAW * frobenius);
        double[][] p = svd.projector(cols);
        for (double[] row : a) {
            for (int j = 0; j < cols; j++) {
                double projected = 0;
                for (int k = 0; k < cols; k++) {
                    projected += row[k] * p[k][j];
                }
                assertEquals(row[j], projected, Tolerance.FLOAT64_LAW * 10);
            }
        }
    }

    @Property(tries = 30)
    void rankKProjectorIsIdempotent(@ForAll @IntRange(min = 2, max = 10) int cols, @ForAll @IntRange(min = 1, max = 10) int k, @ForAll long seed) {
        int rank = Math.min(k, cols);
        double[][] p = Svd.of(LassoTest.random(cols + 5, cols, seed)).projector(rank);
        double trace = 0;
        for (int a = 0; a < cols; a++) {
            trace += p[a][a];
            for (int b = 0; b < cols; b++) {
                double pp = 0;
                for (int c = 0; c < cols; c++) {
                    pp += p[a][c] * p[c][b];
                }
                assertEquals(p[a][b], pp, Tolerance.FLOAT64_LAW);
            }
        }
        assertEquals(rank, trace, Tolerance.FLOAT64_LAW);
    }

    @Property(tries = 20)
    void randomFramesAreOrthonormal(@ForAll @IntRange(min = 1, max = 12) int k, @ForAll long seed) {
        double[][] v = Svd.randomFrame(k, 16, seed);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double dot = 0;
                for (int c = 0; c < 16; c++) {
                    dot += v[i][c] * v[j][c];
                }
                assertEquals(i == j ? 1 : 0, dot, Tolerance.FLOAT64_LAW);
            }
        }
    }
}
