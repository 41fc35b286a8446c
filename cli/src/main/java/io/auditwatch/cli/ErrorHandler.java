package io.auditwatch.cli;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.auditwatch.broker.EmbeddedKafka;
import io.auditwatch.kafka.KafkaUnreachableException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns failures into one line {@code auditwatch: <message>} on stderr: exit 2 for usage errors,
 * {@link UserError#exitCode()} (1) for user mistakes found at run time, 1 for anything else.
 * Stack traces only with {@code --debug} or {@code AUDITWATCH_DEBUG=1}.
 */
final class ErrorHandler implements IParameterExceptionHandler, IExecutionExceptionHandler {

    static final String PREFIX = "auditwatch: ";

    private final Map<String, String> env;

    ErrorHandler(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        if (debug(List.of(args))) {
            ex.printStackTrace(err);
        }
        StringBuilder line = new StringBuilder(oneLine(ex.getMessage()));
        if (ex.getArgSpec() instanceof OptionSpec option) {
            String var = EnvDefaultProvider.envNameOf(option);
            boolean onCommandLine = List.of(args).stream()
                    .anyMatch(a -> List.of(option.names()).contains(a.split("=", 2)[0]));
            if (var != null && !onCommandLine && env.get(var) != null) {
                line.append(" (from environment variable ").append(var).append(')');
            }
        }
        if (ex instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            line.append("; did you mean ").append(String.join(" or ", unmatched.getSuggestions())).append('?');
        }
        line.append(" (see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help')");
        err.println(PREFIX + line);
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        boolean debug = debug(parseResult.originalArgs());
        if (debug) {
            ex.printStackTrace(err);
        }
        int exitCode = 1;
        String message;
        if (ex instanceof UserError userError) {
            message = userError.getMessage();
            exitCode = userError.exitCode();
        } else if (ex instanceof EmbeddedKafka.StartupException || ex instanceof KafkaUnreachableException) {
            message = ex.getMessage();
        } else if (ex instanceof NoSuchFileException || ex instanceof FileNotFoundException) {
            message = "no such file: " + ex.getMessage();
        } else if (ex instanceof AccessDeniedException) {
            message = "permission denied: " + ex.getMessage();
        } else {
            message = "unexpected error: " + ex + (debug ? "" : " (rerun with --debug or AUDITWATCH_DEBUG=1 for details)");
        }
        err.println(PREFIX + oneLine(message));
        err.flush();
        return exitCode;
    }

    private boolean debug(Collection<String> args) {
        String value = env.get(Main.DEBUG_ENV);
        boolean fromEnv = value != null && (value.equals("1") || value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes"));
        return fromEnv || args.contains(Main.DEBUG_OPTION);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
