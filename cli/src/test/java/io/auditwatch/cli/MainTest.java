package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class MainTest {

    @Command(name = "fail")
    static final class FailingCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new UserError("no such file: events.json");
        }
    }

    @Command(name = "probe")
    static final class ProbeCommand implements Callable<Integer> {
        @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092")
        String bootstrapServers;

        @Option(names = {"-n", "--max-events"}, defaultValue = "10")
        int maxEvents;

        @Override
        public Integer call() {
            return 0;
        }
    }

    @Test
    void unknownFlagPrintsOneLineAndExits2() {
        CliRun run = new CliRun(Map.of(), "--bogus");
        assertEquals(2, run.exitCode);
        assertEquals(1, run.errLines().size(), run.err.toString());
        assertTrue(run.errLines().get(0).startsWith("auditwatch: Unknown option: '--bogus'"), run.err.toString());
        assertEquals("", run.out.toString());
    }

    @Test
    void unknownSubcommandFlagNamesTheSubcommand() {
        CliRun run = new CliRun(Map.of(), "broker", "--pot=1");
        assertEquals(2, run.exitCode);
        assertEquals(List.of("auditwatch: Unknown option: '--pot=1'; did you mean --port? (see 'auditwatch broker --help')"),
                run.errLines());
    }

    @Test
    void misspelledSubcommandGetsASuggestion() {
        CliRun run = new CliRun(Map.of(), "brokr");
        assertEquals(2, run.exitCode);
        assertEquals(1, run.errLines().size(), run.err.toString());
        assertTrue(run.errLines().get(0).contains("did you mean broker?"), run.err.toString());
    }

    @Test
    void badValueFromEnvironmentSaysWhichVariable() {
        CliRun run = new CliRun(Map.of("AUDITWATCH_PORT", "abc", "PORT", "tcp://10.0.0.1:9092"), "broker");
        assertEquals(2, run.exitCode);
        assertEquals(1, run.errLines().size(), run.err.toString());
        String line = run.errLines().get(0);
        assertTrue(line.startsWith("auditwatch: Invalid value for option '--port': 'abc' is not an int"), line);
        assertTrue(line.contains("(from environment variable AUDITWATCH_PORT)"), line);
    }

    @Test
    void outOfRangePortIsAUsageError() {
        CliRun run = new CliRun(Map.of(), "broker", "--port", "70000");
        assertEquals(2, run.exitCode);
        assertEquals(List.of("auditwatch: --port must be between 0 and 65535, got 70000 (see 'auditwatch broker --help')"),
                run.errLines());
    }

    @Test
    void userErrorPrintsOneLineExit1AndStackTraceOnlyInDebug() {
        CommandLine cl = Main.commandLine(Map.of());
        cl.addSubcommand(new FailingCommand());
        CliRun run = new CliRun(cl, "fail");
        assertEquals(1, run.exitCode);
        assertEquals(List.of("auditwatch: no such file: events.json"), run.errLines());

        CommandLine debug = Main.commandLine(Map.of("AUDITWATCH_DEBUG", "1"));
        debug.addSubcommand(new FailingCommand());
        CliRun debugRun = new CliRun(debug, "fail");
        assertEquals(1, debugRun.exitCode);
        assertTrue(debugRun.err.toString().contains("at io.auditwatch.cli.MainTest$FailingCommand.call"), debugRun.err.toString());
        assertTrue(debugRun.err.toString().strip().endsWith("auditwatch: no such file: events.json"), debugRun.err.toString());
    }

    @Test
    void envNameIsUpperCaseWithUnderscores() {
        assertEquals("AUDITWATCH_BOOTSTRAP_SERVERS", EnvDefaultProvider.envName("--bootstrap-servers"));
        assertEquals("AUDITWATCH_DATA_DIR", EnvDefaultProvider.envName("--data-dir"));
        assertEquals("AUDITWATCH_PORT", EnvDefaultProvider.envName("--port"), "never a bare PORT, which so much else sets");
    }

    @Test
    void optionsDefaultToEnvironmentVariablesButFlagsWin() {
        Map<String, String> env = Map.of("AUDITWATCH_BOOTSTRAP_SERVERS", "kafka-0.kafka:9092", "AUDITWATCH_MAX_EVENTS", "42");

        ProbeCommand fromEnv = new ProbeCommand();
        new CommandLine(fromEnv).setDefaultValueProvider(new EnvDefaultProvider(env)).parseArgs();
        assertEquals("kafka-0.kafka:9092", fromEnv.bootstrapServers);
        assertEquals(42, fromEnv.maxEvents, "the long name (--max-events) decides, not -n");

        ProbeCommand fromFlag = new ProbeCommand();
        new CommandLine(fromFlag).setDefaultValueProvider(new EnvDefaultProvider(env))
                .parseArgs("--bootstrap-servers", "other:9092");
        assertEquals("other:9092", fromFlag.bootstrapServers);

        ProbeCommand neither = new ProbeCommand();
        new CommandLine(neither).setDefaultValueProvider(new EnvDefaultProvider(Map.of())).parseArgs();
        assertEquals("localhost:9092", neither.bootstrapServers);
        assertEquals(10, neither.maxEvents);
    }

    @Test
    void helpAndVersionAreNotReadFromTheEnvironment() {
        CommandLine cl = Main.commandLine(Map.of("AUDITWATCH_VERSION", "1.2", "AUDITWATCH_HELP", "true", "AUDITWATCH_DEBUG", "true"));
        EnvDefaultProvider provider = new EnvDefaultProvider(Map.of("AUDITWATCH_VERSION", "1.2", "AUDITWATCH_HELP", "true", "AUDITWATCH_DEBUG", "true"));
        cl.getCommandSpec().options().forEach(o -> assertNull(provider.defaultValue(o), o.longestName()));
        CliRun run = new CliRun(cl);
        assertEquals(2, run.exitCode, "no command: usage, exit 2");
        assertTrue(run.err.toString().contains("Usage: auditwatch"), run.err.toString());
    }

    @Test
    void helpListsSubcommandsTheDebugFlagAndExplainsTheEnvironmentConvention() {
        CliRun run = new CliRun(Map.of(), "--help");
        assertEquals(0, run.exitCode);
        String help = run.out.toString().replaceAll("\\s+", " ");
        assertTrue(help.contains("broker"), help);
        assertTrue(help.contains("--bootstrap-servers -> AUDITWATCH_BOOTSTRAP_SERVERS"), help);
        assertTrue(help.contains("--debug Print stack traces on errors"), "the --debug that errors suggest is listed");

        CliRun broker = new CliRun(Map.of(), "broker", "--help");
        assertEquals(0, broker.exitCode);
        String brokerHelp = broker.out.toString().replaceAll("\\s+", " ");
        assertTrue(brokerHelp.contains("--data-dir=DIR"), brokerHelp);
        assertTrue(brokerHelp.contains("AUDITWATCH_BOOTSTRAP_SERVERS"), "footer on subcommands too: " + brokerHelp);
    }

    @Test
    void unreachableKafkaIsAOneLineUserError() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        String bootstrap = "127.0.0.1:" + closedPort;
        // The message itself: KafkaAdminTest.
        CliRun run = new CliRun(Map.of(), "run", "notify", "--bootstrap-servers", bootstrap, "--kafka-wait", "PT1S");
        assertEquals(1, run.exitCode);
        assertEquals(1, run.errLines().size(), run.err.toString());
        assertTrue(run.errLines().get(0).startsWith("auditwatch: cannot reach Kafka at " + bootstrap), run.err.toString());
    }
}
