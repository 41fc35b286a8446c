package io.auditwatch.detector;

import io.auditwatch.kafka.Topics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.language.TunedRules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rule changes through the auditwatch.rules global store take effect on the next event, without a restart. */
class RulesTopicTest {
    private static final Instant T0 = Instant.parse("2026-11-20T03:12:45Z");

    @TempDir
    Path stateDir;

    private final List<TunedRules.Change> changes = new ArrayList<>();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> events;
    private TestInputTopic<String, String> rules;
    private TestOutputTopic<String, Alert> alerts;
    private int requests;

    @BeforeEach
    void start() {
        DetectorConfig config = DetectorConfig.defaults("unused:9092", stateDir);
        driver = new TopologyTestDriver(DetectorTopology.build(config, TunedRules.defaults(config.analysis().requestMemory()),
                changes::add), DetectorApp.properties(config));
        events = driver.createInputTopic(Topics.AUDIT_EVENTS, new ByteArraySerializer(), new ByteArraySerializer());
        rules = driver.createInputTopic(Topics.RULES, new StringSerializer(), new StringSerializer());
        alerts = driver.createOutputTopic(Topics.ALERTS, new StringDeserializer(), AlertSerde.create().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private List<String> exec() {
        requests++;
        byte[] exec = DetectorTopologyTest.exec("x-" + requests, "ResponseComplete",
                "2026-11-20T03:12:" + (10 + requests) + ".000000Z").bytes();
        events.pipeInput(null, exec, T0);
        return alerts.readValuesToList().stream().map(a -> a.rule().id()).toList();
    }

    @Test
    void shouldApplyAPatchAndATombstoneWithoutARestart() {
        assertTrue(exec().contains("pod-exec"));
        rules.pipeInput("pod-exec", "enabled: false");
        assertFalse(exec().contains("pod-exec"), "disabled through the topic");
        rules.pipeInput("pod-exec", (String) null);
        assertTrue(exec().contains("pod-exec"), "the tombstone restored the default");
        assertEquals(List.of(new TunedRules.Change("pod-exec", "patch", true, null),
                new TunedRules.Change("pod-exec", "restore", true, null)), changes);
    }

    @Test
    void shouldRejectABrokenRuleAndGoOnDetectingWithTheLastGoodOne() {
        rules.pipeInput("pod-exec", "title: Exec\nid: pod-exec\nlevel: high\ndetection:\n  s:\n    verb|nope: get\n"
                + "  condition: s\n");
        assertEquals(1, changes.size());
        assertFalse(changes.get(0).accepted());
        assertTrue(changes.get(0).reason().contains("unknown modifier 'nope'"), changes.get(0).reason());
        List<Alert> fired = new ArrayList<>();
        events.pipeInput(null, DetectorTopologyTest.exec("y-1", "ResponseComplete", "2026-11-20T03:13:00.000000Z").bytes(), T0);
        fired.addAll(alerts.readValuesToList());
        assertTrue(fired.stream().anyMatch(a -> a.rule().id().equals("pod-exec")
                && a.rule().level() == io.auditwatch.alert.Level.MEDIUM), "the default pod-exec still runs");
        assertEquals("{\"rule\":\"pod-exec\",\"action\":\"replace\",\"accepted\":false,\"reason\":\""
                        + changes.get(0).reason() + "\",\"instance\":\"test\"}",
                RuleStatusPublisher.json(changes.get(0), "test"));
    }
}
