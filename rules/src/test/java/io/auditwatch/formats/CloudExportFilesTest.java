package io.auditwatch.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.analyses.Analyses;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.Rejection;
import io.auditwatch.replay.LogInput;
import io.auditwatch.replay.Replay;
import io.auditwatch.replay.ReplaySummary;
import io.auditwatch.testing.Corpora;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Managed services' exports as files, replayed as an analyst gets them, yield exactly what ingest's reader makes of
 * the same records one by one (events and rejections alike): EKS's CloudWatch export to S3 (timestamped
 * lines, gzipped, under a name without .gz), AKS diagnostic records as JSON lines, GKE entries as the JSON array
 * {@code gcloud logging read --format json} writes. The samples are panther-analysis's, third-party.
 */
class CloudExportFilesTest {
    private static final ObjectMapper MAPPER = AuditEventReader.mapper();

    @TempDir
    Path dir;

    private final List<String> rejected = new ArrayList<>();

    private ReplaySummary replay(Path file) throws IOException {
        Replay replay = new Replay(new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "c"),
                Analyses.standard(Duration.ofHours(1), Duration.ofSeconds(90)));
        return replay.run(List.of(LogInput.file(file)), alert -> { }, new Replay.Listener() {
            @Override
            public void rejected(String input, long position, Rejection rejection) {
                rejected.add(position + ": " + rejection.message());
            }

            @Override
            public void damaged(String input, long line, IOException cause) {
                rejected.add("damaged at " + line + ": " + cause.getMessage());
            }
        });
    }

    /** What the reader makes of the samples one by one, as ingest reads records: events and rejections. */
    private static long[] oneByOne(List<JsonNode> samples) {
        AuditEventReader reader = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "c");
        long[] counts = new long[2];
        for (JsonNode sample : samples) {
            var result = reader.read(sample.toString().getBytes(StandardCharsets.UTF_8), 0);
            counts[0] += result.events().size();
            counts[1] += result.rejections().size();
        }
        return counts;
    }

    private void assertSameAsOneByOne(List<JsonNode> samples, ReplaySummary summary) {
        long[] expected = oneByOne(samples);
        assertTrue(expected[0] > 0, "the samples hold events");
        assertEquals(expected[0], summary.events(), rejected.toString());
        assertEquals(expected[1], rejected.size(), rejected.toString());
        assertEquals(List.of(), summary.damagedInputs());
    }

    private static List<JsonNode> kubernetes(List<JsonNode> samples, String field, String prefix) {
        return samples.stream().filter(s -> s.at(field).asText().startsWith(prefix)).toList();
    }

    @Test
    void shouldReplayAnEksExportToS3GzippedUnderAPlainName() throws IOException {
        List<JsonNode> samples = Corpora.pantherLogs("Amazon.EKS.Audit");
        StringBuilder lines = new StringBuilder();
        for (JsonNode sample : samples) {
            lines.append("2024-05-01T10:00:00.123Z ").append(sample).append('\n');
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(lines.toString().getBytes(StandardCharsets.UTF_8));
        }
        Path file = Files.write(dir.resolve("000000"), gz.toByteArray());

        assertSameAsOneByOne(samples, replay(file));
    }

    @Test
    void shouldReplayAksDiagnosticRecordsAsJsonLines() throws IOException {
        List<JsonNode> samples = kubernetes(Corpora.pantherLogs("Azure.MonitorActivity"), "/category", "kube-audit");
        assertTrue(!samples.isEmpty());
        StringBuilder lines = new StringBuilder();
        samples.forEach(s -> lines.append(s).append('\n'));
        Path file = Files.writeString(dir.resolve("PT1H.json"), lines);

        assertSameAsOneByOne(samples, replay(file));
    }

    @Test
    void shouldReplayGkeEntriesAsOneJsonArray() throws IOException {
        List<JsonNode> samples = kubernetes(Corpora.pantherLogs("GCP.AuditLog"), "/protoPayload/serviceName", "k8s.io");
        assertTrue(!samples.isEmpty());
        Path file = Files.writeString(dir.resolve("gke.json"),
                MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(samples));

        assertSameAsOneByOne(samples, replay(file));
    }
}
