package io.auditwatch.language;

import static io.auditwatch.testing.EventJson.event;
import static io.auditwatch.testing.EventJson.podExec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.engine.Detection;
import io.auditwatch.testing.EventJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rule language: fields, modifiers, conditions, lists, macros, exceptions, and its error messages. */
class RuleLanguageTest {
    private static final String HEAD = "title: t\nid: r\nlevel: low\n";

    private static Detection rule(String yaml) throws RuleException {
        List<Detection> detections = RuleSet.compile(List.of(new RuleSources.Source("test.yml", yaml))).detections();
        assertEquals(1, detections.size());
        return detections.get(0);
    }

    private static Detection detection(String detectionYaml) throws RuleException {
        return rule(HEAD + "detection:\n" + detectionYaml.indent(2));
    }

    private static boolean matches(String detectionYaml, EventJson event) throws RuleException {
        return detection(detectionYaml).matches(event.parse());
    }

    private static List<String> errors(String yaml) {
        RuleException e = assertThrows(RuleException.class,
                () -> RuleSet.compile(List.of(new RuleSources.Source("bad.yml", yaml))));
        return e.errors().stream().map(RuleError::toString).toList();
    }

    @Test
    void shouldMatchPlainValuesCaseInsensitivelyAndListsAsOr() throws RuleException {
        String d = "sel:\n  verb: [GET, list]\n  objectRef.resource: pods\ncondition: sel";
        assertTrue(matches(d, event()));
        assertTrue(matches(d, event().verb("list")));
        assertFalse(matches(d, event().verb("delete")));
        assertFalse(matches(d, event().objectRef("secrets", "shop", "x", null)));
    }

    @Test
    void shouldApplyWildcardsAndStringModifiers() throws RuleException {
        assertTrue(matches("s:\n  userAgent: 'kubectl/*'\ncondition: s", event()));
        assertTrue(matches("s:\n  userAgent: 'kube?tl/v1.31*linux*'\ncondition: s", event()));
        assertFalse(matches("s:\n  userAgent: 'curl*'\ncondition: s", event()));
        assertTrue(matches("s:\n  requestURI|contains: /SHOP/\ncondition: s", event()));
        assertFalse(matches("s:\n  requestURI|contains|cased: /SHOP/\ncondition: s", event()));
        assertTrue(matches("s:\n  requestURI|startswith: /api/v1\ncondition: s", event()));
        assertTrue(matches("s:\n  requestURI|endswith: pods/web-1\ncondition: s", event()));
        assertTrue(matches("s:\n  requestURI|re: '^/api/v[0-9]+/namespaces/[a-z]+/pods'\ncondition: s", event()));
        assertFalse(matches("s:\n  requestURI|re: '^/API'\ncondition: s", event()));
        assertTrue(matches("s:\n  requestURI|re|i: '^/API'\ncondition: s", event()));
        assertTrue(matches("s:\n  userAgent: 'a\\*b'\ncondition: s", event().set("userAgent", "a*b")));
        assertFalse(matches("s:\n  userAgent: 'a\\*b'\ncondition: s", event().set("userAgent", "axxb")));
    }

    @Test
    void shouldMatchAnyOfSeveralContainsValuesWhateverTheirCaseAndWildcards() throws RuleException {
        assertTrue(matches("s:\n  userAgent|contains: [curl, KUBECTL]\ncondition: s", event()));
        assertTrue(matches("s:\n  userAgent|contains: [curl, 'linux?amd64']\ncondition: s", event()));
        assertTrue(matches("s:\n  userAgent|contains: [curl, /V1.31]\n  verb: get\ncondition: s", event()));
        assertFalse(matches("s:\n  userAgent|contains: [curl, wget, 'kubectl*darwin']\ncondition: s", event()));
        assertFalse(matches("s:\n  userAgent|contains|cased: [curl, KUBECTL]\ncondition: s", event()));
        assertFalse(matches("s:\n  userAgent|contains|all: [kubectl, curl]\ncondition: s", event()));
        assertTrue(matches("s:\n  userAgent|contains|all: [kubectl, LINUX]\ncondition: s", event()));
    }

    @Test
    void shouldRequireEveryValueWithAll() throws RuleException {
        String d = "s:\n  user.groups|all: [system:authenticated, oidc:sre]\ncondition: s";
        assertTrue(matches(d, event()));
        assertFalse(matches(d, event().user("bob", "system:authenticated")));
    }

    @Test
    void shouldAskEveryValueOfTheFieldToMatchWithEvery() throws RuleException {
        String d = "s:\n  auditwatch.images|every: [quay.io/calico/node, quay.io/calico/cni]\ncondition: s";
        String calico = "{\"spec\":{\"initContainers\":[{\"image\":\"quay.io/calico/cni:v3.28\"}],"
                + "\"containers\":[{\"image\":\"quay.io/calico/node@sha256:01ab\"}]}}";
        assertTrue(matches(d, event().verb("create").setJson("requestObject", calico)));
        assertFalse(matches(d, event().verb("create").setJson("requestObject", calico.replace("]}}",
                ",{\"image\":\"alpine:3.20\"}]}}"))), "one untrusted image among trusted ones");
        assertFalse(matches(d, event().verb("create")), "no pod spec: nothing to trust");
        assertFalse(matches(d, event().verb("create").setJson("requestObject",
                "{\"spec\":{\"containers\":[{\"image\":\"quay.io/calico/node-evil:v1\"}]}}")), "a repository is compared whole");
        assertTrue(errors(HEAD + "detection:\n  s:\n    verb|every|all: [a]\n  condition: s\n").get(0)
                .contains("'every' takes values to compare with"));
    }

    @Test
    void shouldTellMissingFromPresentWithNullAndExists() throws RuleException {
        assertTrue(matches("s:\n  objectRef.subresource: null\ncondition: s", event()));
        assertFalse(matches("s:\n  objectRef.subresource: null\ncondition: s", podExec()));
        assertTrue(matches("s:\n  objectRef.subresource|exists: true\ncondition: s", podExec()));
        assertTrue(matches("s:\n  requestObject.spec|exists: false\ncondition: s", event()));
        assertTrue(matches("s:\n  requestObject.spec|exists: true\ncondition: s",
                event().setJson("requestObject", "{\"spec\":{\"hostPID\":true}}")));
    }

    @Test
    void shouldSearchArraysAlongAPathWithOrWithoutStars() throws RuleException {
        EventJson pod = event().verb("create").setJson("requestObject", "{\"spec\":{\"containers\":["
                + "{\"name\":\"a\"},{\"name\":\"b\",\"securityContext\":{\"privileged\":true}}]}}");
        assertTrue(matches("s:\n  requestObject.spec.containers[*].securityContext.privileged: true\ncondition: s", pod));
        assertTrue(matches("s:\n  requestObject.spec.containers.securityContext.privileged: 'true'\ncondition: s", pod));
        assertFalse(matches("s:\n  requestObject.spec.containers[*].securityContext.privileged: true\ncondition: s",
                event()));
    }

    @Test
    void shouldMatchAnyValueOfAListAgainstAnyElementOfAnArray() throws RuleException {
        EventJson pod = event().verb("create").setJson("requestObject", "{\"spec\":{\"containers\":["
                + "{\"securityContext\":{\"capabilities\":{\"add\":[\"NET_RAW\"]}}},"
                + "{\"securityContext\":{\"capabilities\":{\"add\":[\"chown\", \"sys_admin\"]}}}]}}");
        assertTrue(matches("s:\n  capabilities: [SYS_PTRACE, SYS_ADMIN]\ncondition: s", pod));
        assertFalse(matches("s:\n  capabilities: [SYS_PTRACE, BPF]\ncondition: s", pod));
        assertTrue(matches("s:\n  capabilities|all: [NET_RAW, SYS_ADMIN]\ncondition: s", pod));
        assertFalse(matches("s:\n  capabilities|all: [NET_RAW, BPF]\ncondition: s", pod));
        assertTrue(matches("s:\n  objectRef.subresource: [exec, null]\ncondition: s", event()));
        assertTrue(matches("s:\n  objectRef.subresource: [EXEC, null]\ncondition: s", podExec()));
        assertFalse(matches("s:\n  objectRef.subresource: [attach, null]\ncondition: s", podExec()));
    }

    @Test
    void shouldReadKeysWithDotsInAnnotationsAndLabels() throws RuleException {
        assertTrue(matches("s:\n  annotations.authorization.k8s.io/decision: allow\ncondition: s", event()));
        EventJson labelled = event().setJson("requestObject",
                "{\"metadata\":{\"labels\":{\"app.kubernetes.io/name\":\"web\"}}}");
        assertTrue(matches("s:\n  requestObject.metadata.labels.app.kubernetes.io/name: web\ncondition: s", labelled));
    }

    @Test
    void shouldCompareNumbersAndRanges() throws RuleException {
        assertTrue(matches("s:\n  responseStatus.code|gte: 200\ncondition: s", event()));
        assertFalse(matches("s:\n  responseStatus.code|gt: 200\ncondition: s", event()));
        assertTrue(matches("s:\n  responseStatus.code: [401, 403]\ncondition: s", event().code(403)));
        assertTrue(matches("s:\n  sourceIPs|cidr: 203.0.113.0/24\ncondition: s", event()));
        assertFalse(matches("s:\n  sourceIPs|cidr: 10.0.0.0/8\ncondition: s", event()));
        assertTrue(matches("s:\n  sourceIPs|cidr: '2001:db8::/32'\ncondition: s",
                event().set("sourceIPs", List.of("2001:db8::1"))));
    }

    @Test
    void shouldCompareNumbersWrittenAnyWayAsDecimalNumbers() throws RuleException {
        String atLeast300 = "s:\n  requestObject.spec.replicas|gte: 300\ncondition: s";
        String below3e2 = "s:\n  requestObject.spec.replicas|lt: 3e2\ncondition: s";
        String above2andAHalf = "s:\n  requestObject.spec.replicas|gt: 2.5\ncondition: s";
        for (String replicas : List.of("300", "\"300\"", "\"0300\"", "\"+300\"", "\"300.0\"", "\"3E+2\"",
                "\"\uFF13\uFF10\uFF10\"", "123456789012345678901234567890", "\"9223372036854775808\"")) {
            EventJson event = event().setJson("requestObject", "{\"spec\":{\"replicas\":" + replicas + "}}");
            assertTrue(matches(atLeast300, event), replicas);
            assertFalse(matches(below3e2, event), replicas);
            assertTrue(matches(above2andAHalf, event), replicas);
        }
        for (String replicas : List.of("299", "\"-300\"", "\"-0\"", "\"299.99\"", "-123456789012345678901234567890")) {
            EventJson event = event().setJson("requestObject", "{\"spec\":{\"replicas\":" + replicas + "}}");
            assertFalse(matches(atLeast300, event), replicas);
            assertTrue(matches(below3e2, event), replicas);
        }
        for (String notANumber : List.of("\"\"", "\"-\"", "\" 300\"", "\"300 \"", "\"3OO\"", "\"0x12C\"")) {
            EventJson event = event().setJson("requestObject", "{\"spec\":{\"replicas\":" + notANumber + "}}");
            assertFalse(matches(atLeast300, event), notANumber);
            assertFalse(matches(below3e2, event), notANumber);
        }
    }

    @Test
    void shouldCompareWithoutCaseWhetherTheValueIsInTheRulesCaseOrNot() throws RuleException {
        EventJson event = event().user("system:serviceaccount:Kube-System:Deployment-Controller");
        assertTrue(matches("s:\n  user.username: SYSTEM:serviceaccount:kube-system:deployment-controller\ncondition: s", event));
        assertTrue(matches("s:\n  user.username|startswith: 'system:serviceaccount:kube-system:'\ncondition: s", event));
        assertTrue(matches("s:\n  user.username|endswith: ':deployment-controller'\ncondition: s", event));
        assertFalse(matches("s:\n  user.username|startswith|cased: 'system:serviceaccount:kube-system:'\ncondition: s", event));
        assertFalse(matches("s:\n  user.username|endswith|cased: ':deployment-controller'\ncondition: s", event));
        assertTrue(matches("s:\n  user.username|endswith|cased: ':Deployment-Controller'\ncondition: s", event));
        // The Kelvin sign lower-cases to k: compared without case, as String.equalsIgnoreCase does.
        EventJson kelvin = event().user("\u212Aube-admin");
        assertTrue(matches("s:\n  user.username: kube-admin\ncondition: s", kelvin));
        assertTrue(matches("s:\n  user.username|startswith: kube-\ncondition: s", kelvin));
        assertFalse(matches("s:\n  user.username|startswith|cased: kube-\ncondition: s", kelvin));
    }

    @Test
    void shouldFindBase64EncodedTextAtAnyOffset() throws RuleException {
        // "echo hacked" base64-encoded after 0, 1 and 2 leading bytes
        for (String prefix : List.of("", "x", "xy")) {
            String encoded = java.util.Base64.getEncoder().encodeToString((prefix + "echo hacked;").getBytes());
            assertTrue(matches("s:\n  requestURI|base64offset|contains: hacked\ncondition: s",
                    event().uri("/x?command=" + encoded)), prefix);
        }
        assertTrue(matches("s:\n  requestURI|base64|contains: hacked\ncondition: s",
                event().uri("/x?c=" + java.util.Base64.getEncoder().encodeToString("hacked".getBytes()))));
    }

    @Test
    void shouldEvaluateTheConditionGrammar() throws RuleException {
        String sels = "sel_pods:\n  objectRef.resource: pods\nsel_get:\n  verb: get\nfilter_alice:\n"
                + "  user.username: alice@example.com\n";
        assertTrue(matches(sels + "condition: sel_pods and sel_get", event()));
        assertFalse(matches(sels + "condition: sel_pods and not filter_alice", event()));
        assertTrue(matches(sels + "condition: all of sel_*", event()));
        assertTrue(matches(sels + "condition: 1 of sel_* and not (filter_alice and sel_get)",
                event().verb("list")));
        assertTrue(matches(sels + "condition: all of them", event()));
        assertFalse(matches(sels + "condition: all of them", event().verb("list")));
        assertTrue(matches(sels + "condition: not sel_get or sel_pods and filter_alice", event()),
                "and binds tighter than or");
    }

    @Test
    void shouldOrTheMappingsOfAListSelection() throws RuleException {
        String d = "s:\n  - verb: delete\n  - objectRef.resource: pods\n    verb: get\ncondition: s";
        assertTrue(matches(d, event()));
        assertTrue(matches(d, event().verb("delete").objectRef("secrets", "a", "b", null)));
        assertFalse(matches(d, event().verb("list")));
    }

    @Test
    void shouldShareListsAndMacrosAndHonourExceptions() throws RuleException {
        String yaml = "list: sre\nitems: [alice@example.com, carol@example.com]\n---\n"
                + "macro: reads\nselection:\n  verb: [get, list]\n---\n"
                + HEAD + "detection:\n  s:\n    user.username|list: sre\n  condition: s and reads\n"
                + "exceptions:\n  - objectRef.namespace: kube-system\n";
        Detection rule = rule(yaml);
        assertTrue(rule.matches(event().parse()));
        assertFalse(rule.matches(event().verb("delete").parse()));
        assertFalse(rule.matches(event().user("bob").parse()));
        assertFalse(rule.matches(event().objectRef("pods", "kube-system", "x", null).parse()), "exception");
    }

    @Test
    void shouldIndexRulesByTheResourcesTheyCanMatch() throws RuleException {
        assertEquals(Set.of("pods", "secrets"),
                detection("s:\n  objectRef.resource: [Pods, secrets]\n  verb: get\ncondition: s").resources());
        assertEquals(Set.of("pods"), detection("a:\n  objectRef.resource: pods\nb:\n  verb: get\n"
                + "condition: a and (b or not b)").resources());
        assertNull(detection("a:\n  objectRef.resource: pods\nb:\n  verb: get\ncondition: a or b").resources());
        assertNull(detection("a:\n  objectRef.resource|startswith: pod\ncondition: a").resources());
        assertNull(detection("a:\n  objectRef.resource: pods\ncondition: not a").resources());
        assertNull(detection("a:\n  objectRef.resource: \u017Fecrets\ncondition: a").resources(), "not ASCII");
    }

    @Test
    void shouldIndexRulesByTheVerbsTheyCanMatch() throws RuleException {
        assertEquals(Set.of("get", "list"), detection("s:\n  objectRef.resource: pods\n  verb: [GET, list]\n"
                + "condition: s").verbs());
        assertEquals(Set.of("get"), detection("s:\n  verb|cased: GET\ncondition: s").verbs());
        assertEquals(Set.of("get"), detection("a:\n  verb: [get, list]\nb:\n  verb: [get, watch]\n"
                + "condition: a and b").verbs());
        assertNull(detection("a:\n  verb: get\nb:\n  objectRef.resource: pods\ncondition: a or b").verbs());
        assertNull(detection("a:\n  verb: 'g*'\ncondition: a").verbs());
        assertNull(detection("a:\n  verb|startswith: g\ncondition: a").verbs());
        assertNull(detection("a:\n  verb: [get, null]\ncondition: a").verbs());
        assertNull(detection("a:\n  verb: get\ncondition: not a").verbs());
    }

    @Test
    void shouldFillSummaryAndExplanationFromTheEvent() throws RuleException {
        Detection rule = rule(HEAD + "detection:\n  s:\n    verb: get\n  condition: s\n"
                + "summary: '{verb} {objectRef.resource} {objectRef.subresource|(none)} by {user.username}'\n"
                + "explanation: 'from {auditwatch.sources}'\n");
        assertEquals("get pods (none) by alice@example.com", rule.summary(event().parse()));
        assertTrue(rule.explanation(event().parse()).startsWith("from 203.0.113.45 (kubectl/"));
    }

    @Test
    void shouldNameFileLineAndFieldOfEveryError() {
        List<String> errors = errors(HEAD + "detection:\n  sel:\n    verbb: get\n"
                + "    requestURI|re: '(unclosed'\n    verb|startswith|sideways: x\n  condition: sel and nope\n");
        assertTrue(errors.contains("bad.yml:6: detection.sel.verbb: unknown field 'verbb' (audit event fields:"
                + " verb, objectRef.*, user.*, requestObject.*, responseStatus.code, annotations.*, ...; derived: "
                + String.join(", ", EventField.DERIVED) + ")"), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.startsWith("bad.yml:7: detection.sel.requestURI|re: bad regular expression")),
                errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.startsWith("bad.yml:8: detection.sel.verb|startswith|sideways:"
                + " unknown modifier 'sideways'")), errors.toString());
    }

    @Test
    void shouldReportUnknownSelectionsListsKeysAndDuplicateIds() {
        assertEquals(List.of("bad.yml:7: detection.condition: unknown selection or macro 'nope' (selections: sel)"),
                errors(HEAD + "detection:\n  sel:\n    verb: get\n  condition: sel and nope\n"));
        assertEquals(List.of("bad.yml:6: detection.sel.verb|list: unknown list 'admins'"),
                errors(HEAD + "detection:\n  sel:\n    verb|list: admins\n  condition: sel\n"));
        assertEquals(List.of("bad.yml:3: levle: unknown key (rule keys: author, date, description, detection,"
                + " enabled, equivalents, exceptions, explanation, falsepositives, fields, id, level, license,"
                + " logsource, modified, name, references, related, scope, status, summary, tags, target, taxonomy, title)",
                "bad.yml:1: level: 'level' is required (a non-empty string)"),
                errors("title: t\nid: r\nlevle: low\ndetection:\n  s:\n    verb: get\n  condition: s\n"));
        String one = HEAD + "detection:\n  s:\n    verb: get\n  condition: s\n";
        assertEquals(List.of("bad.yml:10: id: duplicate id 'r' (first at bad.yml:2)"), errors(one + "---\n" + one));
        assertEquals(List.of("bad.yml:2: logsource.product: not a Kubernetes rule (product 'windows');"
                        + " this engine reads Kubernetes audit events"),
                errors(HEAD + "logsource:\n  product: windows\ndetection:\n  s:\n    verb: get\n  condition: s\n")
                        .stream().map(e -> e.replaceFirst(":\\d+:", ":2:")).toList());
        assertTrue(errors("title: [unclosed\n").get(0).startsWith("bad.yml:"), "YAML syntax errors have a line");
    }

    @Test
    void shouldCheckTheShapeAgainstTheRuleFileSchema() {
        List<String> nested = errors(HEAD + "detection:\n  sel:\n    verb:\n      nested: map\n  condition: sel\n");
        assertTrue(nested.stream().anyMatch(e -> e.startsWith("bad.yml:6: detection.sel.verb: does not fit the rule file"
                + " schema:")), nested.toString());
        List<String> correlation = errors("title: c\nid: c\nlevel: low\ncorrelation:\n  type: event_count\n"
                + "  rules: [x]\n  groupby: [user.username]\n");
        assertTrue(correlation.stream().anyMatch(e -> e.startsWith("bad.yml:") && e.contains("does not fit the rule file schema")
                && e.contains("groupby")), correlation.toString());
    }

    @Test
    void shouldLoadDirectoriesAndSkipDisabledRules(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yml"), HEAD + "detection:\n  s:\n    verb: get\n  condition: s\n");
        Files.writeString(dir.resolve("b.yaml"), "title: u\nid: u\nlevel: low\nenabled: false\n"
                + "detection:\n  s:\n    verb: get\n  condition: s\n");
        Files.writeString(dir.resolve("notes.txt"), "not a rule");
        assertEquals(List.of("r"), RuleSet.load(List.of(dir)).detections().stream().map(d -> d.rule().id()).toList());
    }
}
