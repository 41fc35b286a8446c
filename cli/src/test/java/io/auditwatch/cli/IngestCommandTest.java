package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code auditwatch run ingest}: settings are checked, in one line, before anything connects. */
class IngestCommandTest {
    @TempDir
    Path dir;

    private static String[] run(Map<String, String> env, String... args) {
        CommandLine cl = Main.commandLine(env);
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new String[] {Integer.toString(exit), err.toString().strip()};
    }

    @Test
    void shouldRefuseAWebhookWithoutAuthentication() {
        String[] r = run(Map.of(), "run", "ingest", "--bootstrap-servers", "127.0.0.1:1", "--insecure-http");
        assertEquals("2", r[0]);
        assertEquals("auditwatch: the webhook needs client certificates (a client CA) or a bearer token file"
                + " (see --tls-cert, --tls-key, --client-ca, --token-file, --insecure-http)", r[1]);
    }

    @Test
    void shouldRefuseHttpsWithoutACertificate() {
        String[] r = run(Map.of("AUDITWATCH_TOKEN_FILE", "/etc/auditwatch/token"), "run", "ingest", "--bootstrap-servers",
                "127.0.0.1:1");
        assertEquals("2", r[0]);
        assertEquals("auditwatch: HTTPS needs a certificate and a key (or plain HTTP for local tests)"
                + " (see --tls-cert, --tls-key, --client-ca, --token-file, --insecure-http)", r[1]);
    }

    @Test
    void shouldNameAnUnreadableTokenFile() {
        Path missing = dir.resolve("no-such-token");
        String[] r = run(Map.of(), "run", "ingest", "--bootstrap-servers", "127.0.0.1:1", "--insecure-http",
                "--token-file", missing.toString());
        assertEquals("1", r[0]);
        assertEquals("auditwatch: cannot read " + missing, r[1]);
    }
}
