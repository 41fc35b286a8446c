package io.auditwatch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code auditwatch} command.
 *
 * <p>To add a subcommand: write a class in this package annotated with {@code @Command(name = "...")}
 * that implements {@code Callable<Integer>} (return 0 on success), and add it to {@code subcommands} below.
 * Throw {@link UserError} for mistakes a person can fix; the shared handlers print one line and exit non-zero.
 * Every long option is also read from an environment variable ({@link EnvDefaultProvider}); the usage footer
 * explaining that is added to every subcommand automatically. {@link KafkaOptions#connect} waits for Kafka and gives
 * the one-line "cannot reach Kafka" error.
 */
@Command(
        name = "auditwatch",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        usageHelpAutoWidth = true,
        showDefaultValues = true,
        description = "Detects attacks in Kubernetes audit logs, live on Kafka Streams or in replays of old logs.",
        subcommands = {
                DemoCommand.class,
                ReplayCommand.class,
                RulesCommand.class,
                RunCommand.class,
                SnapshotCommand.class,
                BrokerCommand.class,
                BenchCommand.class,
                HelpCommand.class,
        })
public final class Main implements Callable<Integer> {

    static final String DEBUG_OPTION = "--debug";
    static final String DEBUG_ENV = "AUDITWATCH_DEBUG";

    static final String ENV_FOOTER = "%nEvery option can also be set through an environment variable named after its long form,"
            + " prefixed AUDITWATCH_, upper-case with dashes as underscores:"
            + " --bootstrap-servers -> AUDITWATCH_BOOTSTRAP_SERVERS."
            + " A flag on the command line wins over the variable. AUDITWATCH_DEBUG=1 prints stack traces on errors.";

    @Spec
    CommandSpec spec;

    @Option(names = DEBUG_OPTION, scope = ScopeType.INHERIT,
            description = "Print stack traces on errors (or set AUDITWATCH_DEBUG=1).")
    boolean debug;

    public static void main(String[] args) {
        System.exit(execute(System.getenv(), args));
    }

    /** Runs the command line against {@code env} as the environment and returns the exit code. */
    public static int execute(Map<String, String> env, String... args) {
        return commandLine(env).execute(args);
    }

    /** The fully configured command line: env defaults, one-line error handlers, footer on every command. */
    public static CommandLine commandLine(Map<String, String> env) {
        CommandLine cl = new CommandLine(new Main());
        ErrorHandler errors = new ErrorHandler(env);
        cl.setDefaultValueProvider(new EnvDefaultProvider(env));
        cl.setParameterExceptionHandler(errors);
        cl.setExecutionExceptionHandler(errors);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        addFooter(cl);
        return cl;
    }

    private static void addFooter(CommandLine cl) {
        if (cl.getCommandSpec().usageMessage().footer().length == 0) {
            cl.getCommandSpec().usageMessage().footer(ENV_FOOTER);
        }
        cl.getSubcommands().values().forEach(Main::addFooter);
    }

    /** {@code auditwatch} without a command: show the usage, exit 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return spec.exitCodeOnInvalidInput();
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {
                "auditwatch " + (version == null ? "dev" : version),
                "Kafka " + kafkaVersion() + ", Java " + Runtime.version(),
            };
        }

        /** From kafka-clients' own version resource (AppInfoParser moved to an internals package in 4.4). */
        private static String kafkaVersion() {
            try (InputStream in = Main.class.getResourceAsStream("/kafka/kafka-version.properties")) {
                Properties p = new Properties();
                if (in != null) {
                    p.load(in);
                }
                return p.getProperty("version", "unknown");
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
