package io.auditwatch.language;

import static io.auditwatch.testing.EventJson.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.auditwatch.engine.Detection;
import io.auditwatch.testing.EventJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SigmaHQ's Kubernetes audit rules (rules/application/kubernetes/audit in SigmaHQ/sigma), unmodified, load and
 * fire. They are not in the repository: the test reads the directory named by SIGMA_K8S_AUDIT_RULES (default
 * /tmp/sigma-k8s-audit) and is skipped when it is absent.
 */
class SigmaHqRulesTest {
    static final Path DIR = Path.of(System.getenv().getOrDefault("SIGMA_K8S_AUDIT_RULES", "/tmp/sigma-k8s-audit"));
    static List<Detection> rules;

    @BeforeAll
    static void load() throws RuleException {
        assumeTrue(Files.isDirectory(DIR), "SigmaHQ rules not found in " + DIR);
        rules = RuleSet.load(List.of(DIR)).detections();
    }

    private static List<String> fired(EventJson e) {
        return rules.stream().filter(d -> d.matches(e.parse())).map(d -> d.rule().title()).sorted().toList();
    }

    @Test
    void shouldLoadEveryRuleUnmodified() {
        assertTrue(rules.size() >= 16, "loaded " + rules.size());
    }

    @Test
    void shouldMapHostPathAndCapabilitiesToThePodSpec() {
        EventJson hostPath = event().verb("create").objectRef("pods", "shop", null, null)
                .setJson("requestObject", "{\"spec\":{\"containers\":[{\"name\":\"a\"}],\"volumes\":[{\"hostPath\":{\"path\":\"/\"}}]}}");
        assertEquals(List.of("Container With A hostPath Mount Created"), fired(hostPath));
        EventJson capabilities = event().verb("create").objectRef("pods", "shop", null, null)
                .setJson("requestObject", "{\"spec\":{\"containers\":[{\"securityContext\":{\"capabilities\":{\"add\":[\"SYS_ADMIN\"]}}}]}}");
        assertEquals(List.of("Privileged Container Deployed"), fired(capabilities));
        assertEquals(List.of(), fired(event().verb("create").objectRef("pods", "shop", null, null)
                .setJson("requestObject", "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}")));
    }

    @Test
    void shouldFireOnWhatTheirDetectionsDescribe() {
        assertEquals(List.of("Kubernetes Unauthorized or Unauthenticated Access"), fired(event().forbidden()));
        assertEquals(List.of("Potential Remote Command Execution In Pod Container"),
                fired(event().verb("create").objectRef("pods", "shop", "web-1", "exec")));
        assertEquals(List.of("Kubernetes Secrets Modified or Deleted"),
                fired(event().verb("delete").objectRef("secrets", "shop", "db", null)));
        assertEquals(List.of("Detect Compiler Execution Within Kubernetes Containers",
                        "Potential Remote Command Execution In Pod Container"),
                fired(event().verb("create").objectRef("pods", "shop", "web-1", "exec")
                        .uri("/api/v1/namespaces/shop/pods/web-1/exec?command=gcc&command=x.c")));
        assertEquals(List.of(), fired(event()));
    }
}
