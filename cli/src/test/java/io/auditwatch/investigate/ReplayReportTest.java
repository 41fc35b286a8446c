package io.auditwatch.investigate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.cli.Main;
import io.auditwatch.event.AuditEventReader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code replay --report}: the HTML page an analyst opens, built from recorded scenarios plus requests by an
 * identity whose name and namespace are HTML and script, and checked in a real headless Chromium (Debian's).
 */
class ReplayReportTest {
    private static final Path SCENARIOS = Path.of("../replay-data/scenarios");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final String HOSTILE_USER = "<script>document.title='pwned'</script>eve";
    static final String HOSTILE_NAMESPACE = "\"><img src=x onerror=\"document.title='pwned'\">";

    @TempDir
    static Path dir;
    static Path report;
    static String html;
    static String stderr;

    @BeforeAll
    static void replayWithReport() throws IOException {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Files.copy(SCENARIOS.resolve("compromised-node/events.jsonl"), logs.resolve("node.log"));
        Files.copy(SCENARIOS.resolve("compromised-pod/events.jsonl"), logs.resolve("pod.log"));
        List<String> hostile = new ArrayList<>();
        for (String line : Files.readAllLines(SCENARIOS.resolve("compromised-pod/events.jsonl"))) {
            if (line.contains("\"subresource\":\"exec\"")) {
                ObjectNode event = (ObjectNode) AuditEventReader.mapper().readTree(line);
                ((ObjectNode) event.path("user")).put("username", HOSTILE_USER);
                ((ObjectNode) event.path("objectRef")).put("namespace", HOSTILE_NAMESPACE);
                event.put("auditID", "0000" + event.path("auditID").asText().substring(4));
                hostile.add(event.toString());
            }
        }
        assertFalse(hostile.isEmpty());
        Files.write(logs.resolve("hostile.log"), hostile);
        report = dir.resolve("report.html");

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(Map.of());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("replay", logs.toString(), "--report", report.toString());
        stderr = err.toString();
        assertEquals(0, exit, stderr);
        html = Files.readString(report);
    }

    @Test
    void shouldWriteOneSelfContainedPageWithEveryPart() {
        assertTrue(stderr.contains("report: " + report), stderr);
        for (String heading : List.of("<h1>auditwatch investigation</h1>", "<h2>Counts</h2>",
                "<h2>Alerts by identity</h2>", "<h2>Node graph</h2>")) {
            assertTrue(html.contains(heading), heading);
        }
        assertTrue(html.contains("alice@example.com did in the hour around its alerts"), "activity of an identity");
        assertTrue(html.contains("Pods bound to it in the log"), "the node graph's view");
        assertFalse(Pattern.compile("(src|href)\\s*=\\s*\"(https?:)?//").matcher(html).find(), "nothing fetched");
        assertFalse(html.contains("<link"), "no external stylesheet");
    }

    @Test
    void shouldEscapeEveryAttackerControlledString() {
        assertFalse(html.contains(HOSTILE_USER), "the user name is text, not a script");
        assertFalse(html.contains("<img"), "the namespace is text, not an element");
        assertTrue(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;eve"), "shown, escaped");
        Matcher scripts = Pattern.compile("<script").matcher(html);
        int count = 0;
        while (scripts.find()) {
            count++;
        }
        assertEquals(1, count, "only the report's own script");
    }

    private static Process chromium(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory(dir, "profile")));
        command.addAll(List.of(args));
        command.add(report.toUri().toString());
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** CI (.ci/run installs Chromium) must run the browser tests; a machine without it skips them and says why. */
    private static void requireChromium() {
        boolean missing = !Files.isExecutable(CHROMIUM);
        if (missing && "true".equals(System.getenv("CI"))) {
            fail("Chromium is not installed at " + CHROMIUM + ": apt-get install -y chromium (.ci/run does this)");
        }
        assumeTrue(!missing, "Chromium is not installed at " + CHROMIUM + " (apt-get install -y chromium)");
    }

    @Test
    void shouldRenderInChromiumWithItsScriptRunAndNoInjectedCode() throws Exception {
        requireChromium();
        Process dump = chromium("--dump-dom");
        String dom = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(dump.waitFor(90, TimeUnit.SECONDS), "chromium --dump-dom finished");

        assertTrue(dom.contains("<title>auditwatch investigation</title>"), "no script rewrote the title");
        assertTrue(dom.contains("<h2>Alerts by identity</h2>") && dom.contains("<h2>Node graph</h2>"), dom);
        assertTrue(dom.contains("data-index=\"1\" hidden"), "the report's script ran: unselected identities are hidden");
        assertFalse(dom.contains("<img"), "no element came out of an attacker's string");
    }

    @Test
    void shouldScreenshotANonBlankPageInChromium() throws Exception {
        requireChromium();
        Path png = dir.resolve("report.png");
        Process shot = chromium("--window-size=1280,1400", "--screenshot=" + png);
        shot.getInputStream().transferTo(OutputStream.nullOutputStream());
        assertTrue(shot.waitFor(90, TimeUnit.SECONDS), "chromium --screenshot finished");

        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1280, image.getWidth());
        long inked = 0;
        long sampled = 0;
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                sampled++;
                if (rgb != 0xffffff) {
                    inked++;
                }
            }
        }
        assertTrue(inked > sampled / 50, "text and tables drawn: " + inked + " of " + sampled + " pixels inked");
        assertTrue(colours.size() > 20, "more than a flat page: " + colours.size() + " colours");
        long headingInk = 0;
        for (int y = 20; y < 60; y++) {
            for (int x = 20; x < 400; x++) {
                if ((image.getRGB(x, y) & 0xffffff) != 0xffffff) {
                    headingInk++;
                }
            }
        }
        assertTrue(headingInk > 200, "the h1 is drawn at the top: " + headingInk);
    }
}
