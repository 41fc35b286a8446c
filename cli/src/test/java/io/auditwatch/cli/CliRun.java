package io.auditwatch.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs the command line with a given environment and captures what it prints. */
final class CliRun {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final int exitCode;

    CliRun(Map<String, String> env, String... args) {
        this(Main.commandLine(env), args);
    }

    CliRun(CommandLine cl, String... args) {
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        exitCode = cl.execute(args);
    }

    List<String> errLines() {
        return err.toString().lines().toList();
    }

    List<String> outLines() {
        return out.toString().lines().toList();
    }
}
