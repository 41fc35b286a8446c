package io.auditwatch.language;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.auditwatch.engine.RuleDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The peers' rules (rules/src/main/resources/io/auditwatch/rules/peers/*.yml: Falco, SigmaHQ, Elastic, Panther,
 * with the repository, path and commit they were read at) against the default pack's {@code equivalents}: every
 * equivalent names a peer rule exactly as the peer spells it, and every peer rule is either named by a rule of
 * the pack or says why not.
 */
class PeerCatalogueTest {
    static final List<String> PEERS = List.of("falco", "sigma", "elastic", "panther");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Per peer, the key an equivalent uses (Falco and Elastic: the rule name; Sigma and Panther: the id). */
    static Map<String, JsonNode> catalogue() throws IOException {
        Map<String, JsonNode> rules = new TreeMap<>();
        for (String peer : PEERS) {
            JsonNode doc = read(peer);
            for (JsonNode rule : doc.path("rules")) {
                rules.put(peer + ":" + key(peer, rule), rule);
            }
        }
        return rules;
    }

    static JsonNode read(String peer) throws IOException {
        try (InputStream in = PeerCatalogueTest.class.getResourceAsStream("/io/auditwatch/rules/peers/" + peer + ".yml")) {
            return YAML.readTree(in);
        }
    }

    static String key(String peer, JsonNode rule) {
        return (peer.equals("falco") || peer.equals("elastic") ? rule.path("name") : rule.path("id")).asText();
    }

    static Stream<RuleDefinition> packRules() {
        RuleSet pack = RuleSet.defaults();
        return Stream.concat(pack.all().stream().map(d -> d.rule()), pack.allCorrelations().stream().map(c -> c.rule()));
    }

    @Test
    void shouldSpellEveryEquivalentOfThePackExactlyAsItsPeerDoes() throws IOException {
        Set<String> known = catalogue().keySet();
        Map<String, List<String>> unknown = new TreeMap<>();
        packRules().forEach(rule -> rule.equivalents().stream().filter(e -> !known.contains(e))
                .forEach(e -> unknown.computeIfAbsent(rule.id(), k -> new ArrayList<>()).add(e)));
        assertEquals(Map.of(), unknown, "equivalents that no peer catalogue lists (rule id: names)");
    }

    @Test
    void shouldNameEveryPeerRuleOrSayWhyNot() throws IOException {
        Set<String> named = new TreeSet<>();
        packRules().forEach(rule -> named.addAll(rule.equivalents()));
        List<String> missing = new ArrayList<>();
        catalogue().forEach((key, rule) -> {
            if (!named.contains(key) && rule.path("note").asText().isBlank()) {
                missing.add(key);
            }
            if (named.contains(key) && !rule.path("note").asText().isBlank()) {
                missing.add(key + " (named by the pack, yet its note says it is not)");
            }
        });
        assertEquals(List.of(), missing, "peer rules that no rule of the pack names and that carry no note");
    }

    @Test
    void shouldSayWhereEveryPeerRuleWasRead() throws IOException {
        for (String peer : PEERS) {
            JsonNode doc = read(peer);
            assertEquals(peer, doc.path("peer").asText());
            assertFalse(doc.path("source").path("repo").asText().isBlank(), peer + ": source.repo");
            assertFalse(doc.path("source").path("path").asText().isBlank(), peer + ": source.path");
            assertTrue(doc.path("rules").size() > 0, peer + ": rules");
            Set<String> keys = new TreeSet<>();
            for (JsonNode rule : doc.path("rules")) {
                String commit = rule.path("commit").asText(doc.path("source").path("commit").asText());
                assertTrue(commit.matches("[0-9a-f]{40}"), peer + ": " + key(peer, rule) + " has no source commit");
                assertFalse(key(peer, rule).isBlank(), peer + ": a rule without its name or id");
                // A rule found under another file name too is one entry: a second one would shadow the first.
                assertTrue(keys.add(key(peer, rule)), peer + ": " + key(peer, rule) + " is listed twice");
                for (JsonNode also : rule.path("also")) {
                    assertTrue(also.path("commit").asText().matches("[0-9a-f]{40}") && !also.path("file").asText().isBlank(),
                            peer + ": " + key(peer, rule) + " has another file without its name or commit");
                }
            }
        }
    }

    @Test
    void shouldHoldFalcosFortySevenDetectionsAndSigmasSeventeenAndPanthersThirtyThree() throws IOException {
        long falco = 0;
        for (JsonNode rule : read("falco").path("rules")) {
            falco += rule.path("name").asText().equals("All K8s Audit Events") ? 0 : 1;
        }
        assertEquals(47, falco);
        assertEquals(17, read("sigma").path("rules").size());
        assertEquals(33, read("panther").path("rules").size());
    }
}
