package io.auditwatch.language;

import static io.auditwatch.testing.EventJson.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.engine.Detection;
import io.auditwatch.engine.Engine;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import io.auditwatch.testing.EventJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's index by resource and verb never skips a rule that matches: it alerts exactly as trying every rule. */
class RuleIndexingTest {
    private static final String[] DETECTIONS = {
        "s:\n  objectRef.resource: pods\n  verb: create\ncondition: s",
        "s:\n  objectRef.resource: [Secrets, configmaps]\n  verb|cased: GET\ncondition: s",
        "s:\n  objectRef.resource|cased: Pods\ncondition: s",
        "s:\n  objectRef.resource|startswith: pod\ncondition: s",
        "s:\n  objectRef.resource: 'sec*'\ncondition: s",
        "s:\n  verb: get\ncondition: s",
        "s:\n  verb: [get, null]\ncondition: s",
        "s:\n  userAgent|contains: kubectl\ncondition: s",
        "a:\n  objectRef.resource: secrets\nb:\n  verb: delete\ncondition: a or b",
        "a:\n  objectRef.resource: secrets\nb:\n  verb: delete\ncondition: not a and b",
        "s:\n  objectRef.resource: \u017Fecrets\ncondition: s",
        "s:\n  objectRef.resource: secrets\n  verb: [list, \u212Aill]\ncondition: s",
    };
    private static final String[] RESOURCES = {"pods", "Pods", "PODS", "secrets", "SECRETS", "Configmaps", "nodes",
        "\u017Fecrets", null};
    private static final String[] VERBS = {"create", "CREATE", "get", "GET", "Delete", "list", "kill", "\u212Aill"};

    @Test
    void shouldAlertOnEveryEventExactlyAsTryingEveryRuleWould() throws RuleException {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < DETECTIONS.length; i++) {
            yaml.append(i == 0 ? "" : "---\n").append("title: t").append(i).append("\nid: r").append(i)
                    .append("\nlevel: low\ndetection:\n").append(DETECTIONS[i].indent(2));
        }
        List<Detection> rules = RuleSet.compile(List.of(new RuleSources.Source("test.yml", yaml.toString()))).detections();
        Engine engine = new Engine(rules, Duration.ofHours(1));
        int matched = 0;
        for (String resource : RESOURCES) {
            for (String verb : VERBS) {
                EventJson json = resource == null ? event().noObjectRef() : event().objectRef(resource, "shop", "x", null);
                AuditEvent e = json.verb(verb).parse();
                List<String> expected = new ArrayList<>();
                rules.stream().filter(r -> r.matches(e)).forEach(r -> expected.add(r.rule().id()));
                ExpiringState state = new ExpiringState(new TreeMapStore());
                state.advanceTo(e.eventTimeMillis());
                assertEquals(expected, engine.process(e, state).stream().map(a -> a.rule().id()).toList(),
                        () -> resource + " " + verb);
                matched += expected.size();
            }
        }
        // Guards the test itself: the grid must exercise the rules, or it proves nothing.
        assertTrue(matched > RESOURCES.length * VERBS.length, "matches: " + matched);
    }
}
