package io.auditwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RuleIndexTest {
    private record Rule(String id, Set<String> resources, Set<String> verbs) {
    }

    private static final Rule ANY = new Rule("any", null, null);
    private static final Rule PODS = new Rule("pods", Set.of("pods"), null);
    private static final Rule GETS = new Rule("gets", null, Set.of("get", "list"));
    private static final Rule POD_CREATES = new Rule("pod-creates", Set.of("pods", "deployments"), Set.of("create"));
    private static final RuleIndex<Rule> INDEX = new RuleIndex<>(List.of(POD_CREATES, ANY, PODS, GETS),
            Rule::resources, Rule::verbs);

    @Test
    void shouldGiveTheRulesThatNameTheResourceAndVerbOrDoNotCareInTheirOrder() {
        assertEquals(List.of(POD_CREATES, ANY, PODS), INDEX.candidates("pods", "create"));
        assertEquals(List.of(ANY, PODS, GETS), INDEX.candidates("pods", "get"));
        assertEquals(List.of(POD_CREATES, ANY), INDEX.candidates("deployments", "create"));
        assertEquals(List.of(ANY, GETS), INDEX.candidates("secrets", "list"));
        assertEquals(List.of(ANY), INDEX.candidates("secrets", "delete"));
        assertEquals(List.of(ANY, PODS), INDEX.candidates("pods", null));
        assertEquals(List.of(ANY, GETS), INDEX.candidates(null, "get"));
    }

    @Test
    void shouldLookUpMixedCaseValuesInLowerCase() {
        assertEquals(List.of(POD_CREATES, ANY, PODS), INDEX.candidates("Pods", "CREATE"));
    }

    @Test
    void shouldTryEveryRuleOnValuesOutsideAscii() {
        // U+017F (long s) equals 's' ignoring case, yet does not lower-case to it.
        assertEquals(List.of(POD_CREATES, ANY, PODS, GETS), INDEX.candidates("pod\u017F", "get"));
        assertEquals(List.of(POD_CREATES, ANY, PODS, GETS), INDEX.candidates("pods", "li\u017Ft"));
    }
}
