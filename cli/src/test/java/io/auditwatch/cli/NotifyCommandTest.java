package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code run notify}'s destination options: mistakes are one-line usage errors that never show a secret. */
class NotifyCommandTest {
    @TempDir
    Path dir;

    private record Result(int exitCode, String out, String err) {
    }

    /** Kafka is never reached: every case fails while reading the options, before connecting. */
    private static Result run(Map<String, String> env, String... args) {
        CommandLine cl = Main.commandLine(env);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void aMissingRoutingFileIsAOneLineUsageError() {
        Result r = run(Map.of(), "run", "notify", "--bootstrap-servers", "127.0.0.1:1", "--routing-file",
                dir.resolve("nope.yaml").toString());
        assertEquals(2, r.exitCode);
        assertEquals(1, r.err.lines().count(), r.err);
        assertTrue(r.err.startsWith("auditwatch: routing file " + dir.resolve("nope.yaml")), r.err);
    }

    @Test
    void aRoutingFileAndSingleDestinationFlagsDoNotMix() throws Exception {
        Path routing = Files.writeString(dir.resolve("r.yaml"), "destinations: []\nroutes: []\n");
        Result r = run(Map.of(), "run", "notify", "--bootstrap-servers", "127.0.0.1:1", "--routing-file",
                routing.toString(), "--slack-webhook-file", routing.toString());
        assertEquals(2, r.exitCode);
        assertEquals("auditwatch: use --routing-file or the single-destination options, not both\n", r.err);
    }

    @Test
    void aBadSecretFromTheEnvironmentIsReportedWithoutItsValue() {
        Result r = run(Map.of("AUDITWATCH_SLACK_WEBHOOK_URL", "hooks.slack.com/services/T0/B0/SECRETPART"), "run", "notify",
                "--bootstrap-servers", "127.0.0.1:1");
        assertEquals(2, r.exitCode);
        assertEquals("auditwatch: Slack webhook URL: not an absolute http(s) URL\n", r.err);
    }

    @Test
    void aWebhookWithoutASigningKeyIsRefused() throws Exception {
        Path url = Files.writeString(dir.resolve("url"), "https://siem.example.com/hook");
        Result r = run(Map.of(), "run", "notify", "--bootstrap-servers", "127.0.0.1:1", "--webhook-url-file",
                url.toString());
        assertEquals(2, r.exitCode);
        assertTrue(r.err.contains("a webhook needs a signing key"), r.err);
    }

    @Test
    void helpNeverShowsASecretTakenFromTheEnvironment() {
        Result r = run(Map.of("AUDITWATCH_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0/B0/SECRETPART",
                "AUDITWATCH_PAGERDUTY_ROUTING_KEY", "SECRETKEY", "AUDITWATCH_WEBHOOK_HMAC_KEY", "SECRETHMAC"), "run", "notify", "--help");
        assertEquals(0, r.exitCode);
        assertTrue(r.out.contains("--slack-webhook-url"), r.out);
        assertFalse(r.out.contains("SECRET"), r.out);
    }
}
