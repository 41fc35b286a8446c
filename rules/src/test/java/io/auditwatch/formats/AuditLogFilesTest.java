package io.auditwatch.formats;

import static io.auditwatch.testing.EventJson.event;
import static io.auditwatch.testing.EventJson.tree;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.ReadResult;
import io.auditwatch.testing.EventJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogFilesTest {
    @TempDir
    Path dir;

    private static List<String> payloads(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        AuditLogFiles.forEachPayload(file, bytes -> out.add(new String(bytes, StandardCharsets.UTF_8)));
        return out;
    }

    private static List<String> auditIDs(List<String> payloads) {
        AuditEventReader reader = EventJson.reader();
        List<String> ids = new ArrayList<>();
        for (String p : payloads) {
            ReadResult r = reader.read(p.getBytes(StandardCharsets.UTF_8), 0);
            assertEquals(List.of(), r.rejections(), p);
            r.events().forEach(e -> ids.add(e.auditID));
        }
        return ids;
    }

    private static String pretty(String json) throws IOException {
        return AuditEventReader.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(tree(json));
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void shouldGiveOnePayloadPerLineOfAJsonLinesFile() throws IOException {
        String a = event().auditID("a-1").json();
        String b = event().auditID("a-2").json();
        String c = event().auditID("a-3").json();

        List<String> payloads = payloads(write("audit.log", a + "\n" + b + "\n" + c + "\n"));

        assertEquals(List.of(a, b, c), payloads, "each line verbatim");
    }

    @Test
    void shouldReadTheLastLineWithoutTrailingNewline() throws IOException {
        assertEquals(List.of("a-1", "a-2"), auditIDs(payloads(write("audit.log",
                event().auditID("a-1").json() + "\n" + event().auditID("a-2").json()))));
    }

    @Test
    void shouldSkipBlankLines() throws IOException {
        String content = "\n" + event().auditID("a-1").json() + "\n\n   \n\t\n" + event().auditID("a-2").json()
                + "\r\n\n";

        assertEquals(List.of("a-1", "a-2"), auditIDs(payloads(write("audit.log", content))));
    }

    @Test
    void shouldPassABadLineThroughForTheReaderToReject() throws IOException {
        List<String> payloads = payloads(write("audit.log", event().json() + "\n{\"kind\":\n" + event().json()));

        assertEquals(3, payloads.size());
        assertEquals("{\"kind\":", payloads.get(1));
    }

    @Test
    void shouldDecompressAGzippedJsonLinesFile() throws IOException {
        Path file = dir.resolve("audit-2024-05-01T10-00-00.000.log.gz");
        List<String> expected = new ArrayList<>();
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            for (int i = 0; i < 500; i++) { // over 64 KiB uncompressed: more than the sniffed head
                String line = event().auditID("a-" + i).json();
                expected.add("a-" + i);
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }

        List<String> payloads = payloads(file);

        assertEquals(500, payloads.size());
        assertEquals(expected, auditIDs(payloads));
    }

    @Test
    void shouldReadAPrettyPrintedEventListAsOneDocument() throws IOException {
        String list = pretty(EventJson.eventList(event().auditID("a-1").json(), event().auditID("a-2").json()));

        List<String> payloads = payloads(write("events.json", list));

        assertEquals(List.of(list), payloads);
        assertEquals(List.of("a-1", "a-2"), auditIDs(payloads));
    }

    @Test
    void shouldReadAPrettyPrintedEventWithWindowsLineEndingsAsOneDocument() throws IOException {
        String pretty = pretty(event().auditID("a-1").json()).replace("\n", "\r\n");

        assertEquals(List.of("a-1"), auditIDs(payloads(write("event.json", pretty))));
    }

    @Test
    void shouldReadAGzippedPrettyPrintedEventListLargerThanTheSniffedHead() throws IOException {
        String[] items = new String[400];
        for (int i = 0; i < items.length; i++) {
            items[i] = event().auditID("a-" + i).json();
        }
        String list = pretty(EventJson.eventList(items));
        Path file = dir.resolve("events.json.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(list.getBytes(StandardCharsets.UTF_8));
        }

        List<String> payloads = payloads(file);

        assertEquals(1, payloads.size());
        assertEquals(400, auditIDs(payloads).size());
    }

    @Test
    void shouldReadAJsonArrayFileAsOneDocument() throws IOException {
        String array = EventJson.array(event().auditID("a-1").json(), event().auditID("a-2").json());

        List<String> payloads = payloads(write("events.json", "\n" + array + "\n"));

        assertEquals(1, payloads.size());
        assertEquals(List.of("a-1", "a-2"), auditIDs(payloads));
    }

    @Test
    void shouldReadAPrettyPrintedJsonArrayFileAsOneDocument() throws IOException {
        String array = pretty(EventJson.array(event().auditID("a-1").json(), event().auditID("a-2").json()));

        assertEquals(List.of("a-1", "a-2"), auditIDs(payloads(write("events.json", array))));
    }

    @Test
    void shouldReadAOneLineEventListAsOnePayload() throws IOException {
        String list = EventJson.eventList(event().auditID("a-1").json(), event().auditID("a-2").json());

        List<String> payloads = payloads(write("batch.json", list + "\n"));

        assertEquals(List.of(list), payloads);
        assertEquals(List.of("a-1", "a-2"), auditIDs(payloads));
    }

    @Test
    void shouldGiveNoPayloadForAnEmptyFile() throws IOException {
        assertEquals(List.of(), payloads(write("empty.log", "")));
    }

    @Test
    void shouldGiveNoPayloadForABlankFile() throws IOException {
        assertEquals(List.of(), payloads(write("blank.log", "\n \n\t\n")));
    }

    @Test
    void shouldGiveNoPayloadForAnEmptyGzipFile() throws IOException {
        Path file = dir.resolve("empty.log.gz");
        new GZIPOutputStream(Files.newOutputStream(file)).close();

        assertEquals(List.of(), payloads(file));
    }

    @Test
    void shouldReadAJsonLinesFileWhoseFirstLineIsLongerThanTheSniffedHead() throws IOException {
        String big = event().auditID("a-big").setJson("requestObject",
                "{\"kind\":\"ConfigMap\",\"data\":{\"blob\":\"" + "x".repeat(100_000) + "\"}}").json();
        String small = event().auditID("a-2").json();

        List<String> payloads = payloads(write("audit.log", big + "\n" + small + "\n"));

        assertEquals(2, payloads.size());
        assertArrayEquals(big.getBytes(StandardCharsets.UTF_8), payloads.get(0).getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("a-big", "a-2"), auditIDs(payloads));
    }

    @Test
    void shouldKeepMultiByteCharactersIntact() throws IOException {
        String line = event().auditID("a-1").user("jürgen@example.com").set("userAgent", "kubectl 日本語 😀").json();

        List<String> payloads = payloads(write("audit.log", line + "\n"));

        assertEquals(List.of(line), payloads);
    }
}
