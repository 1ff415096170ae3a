package dev.locus.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

/** A command run in this JVM as bin/locus runs it, its exit code and what it printed. */
record Cli(int code, String out, String err) {
    static Cli run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        int code;
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            code = Main.run(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        return new Cli(code, out.toString(), err.toString());
    }
}
