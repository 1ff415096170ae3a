package dev.locus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.locus.LocusException;
import dev.locus.claims.Drift;
import dev.locus.claims.Results;
import dev.locus.regression.Baseline;
import dev.locus.regression.Comparison;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A run held against a baseline run: the drift table on stdout, exit 0 without a regression, 1
 * with one (each named with both values), 2 when either cannot be read or the two runs are not on
 * the same pairs, seed and expectations.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare a run with a baseline run of the same pairs, seed and expectations: exit 0 (no regression), "
                + "1 (regression), 2 (bad input).")
public final class CompareCommand implements Callable<Integer> {
    static final int REGRESSED = 1;

    @Parameters(index = "0", paramLabel = "BASELINE", description = "The accepted run: its folder or its results.json.")
    Path baseline;

    @Parameters(index = "1", paramLabel = "NEW", description = "The run to check: its folder or its results.json.")
    Path now;

    @Option(names = "--out", description = "Also write the comparison as JSON here (a new file).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (out != null) {
            Path parent = out.toAbsolutePath().getParent();
            if (Files.exists(out)) {
                throw new LocusException(out, "--out", "exists: choose a new file, an earlier comparison is never overwritten");
            }
            if (parent != null && !Files.isDirectory(parent)) {
                throw new LocusException(out, "--out", "folder " + parent + " does not exist");
            }
        }
        Baseline accepted = Baseline.read(baseline);
        Comparison comparison = accepted.compare(Results.read(now));
        System.out.print(comparison.table());
        if (out != null) {
            Path partial = out.resolveSibling(out.getFileName() + ".partial");
            Files.writeString(partial, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(comparison) + "\n");
            Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
        }
        for (Drift d : comparison.regressions()) {
            System.err.println("locus compare: REGRESSION: " + d.sentence());
        }
        System.err.println("locus compare: " + (comparison.regressed() ? comparison.regressions().size() + " regression(s)" : "no regression")
                + " of " + Results.fileOf(now) + " against " + comparison.baseline());
        return comparison.regressed() ? REGRESSED : 0;
    }
}
