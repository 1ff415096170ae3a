package dev.locus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.locus.patching.Intervention;
import dev.locus.patching.PatchPositions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Whose fault an error is: the user's bad input is exit 2 and one line, a bug of locus is another exit code with its stack trace. */
class MainTest {
    @TempDir
    Path tmp;

    /** A command whose engine call breaks a precondition no input can reach: a subspace patch of no rows. */
    @Command(name = "engine-bug")
    static final class EngineBug implements Callable<Integer> {
        @Override
        public Integer call() {
            Intervention.subspace(new float[0][], 1, PatchPositions.ALL);
            return 0;
        }
    }

    @Test
    void anEngineBugIsAnInternalErrorWithItsStackTraceNotTheUsersMistake() {
        CommandLine cli = Main.commandLine().addSubcommand(new EngineBug());
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("engine-bug");
        assertEquals(Main.INTERNAL_ERROR, code);
        assertThat(code).isNotEqualTo(Main.BAD_INPUT);
        assertThat(err.toString()).contains("locus: internal error, a bug in locus and not in its input",
                "java.lang.IllegalArgumentException", "at dev.locus.patching.Intervention.");
    }

    @Test
    void aValueALibraryParserRefusesIsTheUsersBadInputInOneLine() {
        Cli run = Cli.run("fixture", "--kind", "sideways", "--out", tmp.resolve("pair").toString());
        assertEquals(Main.BAD_INPUT, run.code());
        assertThat(run.err().lines().toList()).containsExactly(
                "locus: command line: --kind: expected localized, diffuse or null, found \"sideways\"");
    }

    @Test
    void anOptionPicocliCannotReadIsTheUsersBadInputInOneLine() {
        Cli run = Cli.run("bench", "--tokens", "many");
        assertEquals(Main.BAD_INPUT, run.code());
        assertThat(run.err().lines().toList()).hasSize(1).first().asString().startsWith("locus: command line: ")
                .contains("--tokens", "many", "bin/locus bench --help");
    }
}
