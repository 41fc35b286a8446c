package io.auditwatch.language;

import static io.auditwatch.testing.EventJson.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.engine.Detection;
import io.auditwatch.testing.EventJson;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rules in SigmaHQ's shape for Kubernetes audit logs (replay-data/sigmahq-shaped: written for these tests, with the
 * top-level fields, field names, modifiers and conditions of SigmaHQ/sigma rules/application/kubernetes/audit)
 * load unmodified and fire on what their detections describe.
 */
class SigmaHqRulesTest {
    static final Path DIR = Path.of("../replay-data/sigmahq-shaped");
    static List<Detection> rules;

    @BeforeAll
    static void load() throws RuleException {
        rules = RuleSet.load(List.of(DIR)).detections();
    }

    private static List<String> fired(EventJson e) {
        return rules.stream().filter(d -> d.matches(e.parse())).map(d -> d.rule().title()).sorted().toList();
    }

    @Test
    void shouldLoadEveryRuleUnmodified() {
        assertEquals(7, rules.size(), rules.stream().map(d -> d.rule().title()).toList().toString());
    }

    @Test
    void shouldMapHostPathAndCapabilitiesToThePodSpec() {
        EventJson hostPath = event().verb("create").objectRef("pods", "shop", null, null)
                .setJson("requestObject", "{\"spec\":{\"containers\":[{\"name\":\"a\"}],\"volumes\":[{\"hostPath\":{\"path\":\"/\"}}]}}");
        assertEquals(List.of("Pod Created With A Node Directory Mounted"), fired(hostPath));
        EventJson capabilities = event().verb("create").objectRef("pods", "shop", null, null)
                .setJson("requestObject", "{\"spec\":{\"containers\":[{\"securityContext\":{\"capabilities\":{\"add\":[\"SYS_ADMIN\"]}}}]}}");
        assertEquals(List.of("Pod Created With Added Linux Capabilities"), fired(capabilities));
        assertEquals(List.of(), fired(event().verb("create").objectRef("pods", "shop", null, null)
                .setJson("requestObject", "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}")));
    }

    @Test
    void shouldFireOnWhatTheirDetectionsDescribe() {
        assertEquals(List.of("API Request Refused For Authentication Or Authorization"), fired(event().forbidden()));
        assertEquals(List.of("Command Run In A Pod Container"),
                fired(event().verb("create").objectRef("pods", "shop", "web-1", "exec")));
        assertEquals(List.of("Secret Changed Or Removed"),
                fired(event().verb("delete").objectRef("secrets", "shop", "db", null)));
        assertEquals(List.of(), fired(event().verb("get").objectRef("secrets", "shop", "db", null)));
        assertEquals(List.of("Command Run In A Pod Container", "Compiler Run Inside A Container"),
                fired(event().verb("create").objectRef("pods", "shop", "web-1", "exec")
                        .uri("/api/v1/namespaces/shop/pods/web-1/exec?command=gcc&command=x.c")));
        assertEquals(List.of(), fired(event()));
    }

    @Test
    void shouldCombineSelectionsAsTheConditionSays() {
        EventJson scanner = event().set("userAgent", "trufflehog/3.63.2");
        assertEquals(List.of("Cluster Scanner Or Shell Reached The API"), fired(scanner));
        assertEquals(List.of("API Request Refused For Authentication Or Authorization"),
                fired(scanner.copy().forbidden()), "and not filter_refused");
        assertEquals(List.of("Cluster Scanner Or Shell Reached The API", "Command Run In A Pod Container"),
                fired(event().verb("create").objectRef("pods", "shop", "web-1", "exec")
                        .uri("/api/v1/namespaces/shop/pods/web-1/exec?command=%2Fbin%2Fsh&stdin=true")));
        assertEquals(List.of("Command Run In A Pod Container"),
                fired(event().verb("create").objectRef("pods", "shop", "web-1", "exec")
                        .uri("/api/v1/namespaces/shop/pods/web-1/exec?command=shellcheck")));
    }
}
