package io.auditwatch.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Rules by the {@code objectRef.resource} and {@code verb} values (lower case) they can match, so an event is tried
 * only against the rules that name its resource and verb or do not care. A value outside ASCII is never looked up:
 * a case-insensitive comparison can equal a value it does not lower-case to (the Kelvin sign and k), so such an
 * event tries every rule.
 */
public final class RuleIndex<T> {
    private final List<T> all;
    private final Map<String, ByVerb<T>> byResource = new HashMap<>();
    /** For resources no rule names, and events without one. */
    private final ByVerb<T> otherResource;

    private record ByVerb<T>(Map<String, List<T>> named, List<T> other) {
        List<T> get(String verb) {
            List<T> rules = verb == null ? null : named.get(verb);
            return rules == null ? other : rules;
        }
    }

    /** {@code resources} and {@code verbs} give a rule's values, lower case, or null if any will do. */
    public RuleIndex(List<T> rules, Function<T, Set<String>> resources, Function<T, Set<String>> verbs) {
        this.all = List.copyOf(rules);
        Set<String> namedResources = new HashSet<>();
        Set<String> namedVerbs = new HashSet<>();
        for (T rule : all) {
            if (resources.apply(rule) != null) {
                namedResources.addAll(resources.apply(rule));
            }
            if (verbs.apply(rule) != null) {
                namedVerbs.addAll(verbs.apply(rule));
            }
        }
        for (String resource : namedResources) {
            byResource.put(resource, byVerb(only(all, resources, resource), verbs, namedVerbs));
        }
        otherResource = byVerb(only(all, resources, null), verbs, namedVerbs);
    }

    private static <T> ByVerb<T> byVerb(List<T> rules, Function<T, Set<String>> verbs, Set<String> namedVerbs) {
        Map<String, List<T>> named = new HashMap<>();
        for (String verb : namedVerbs) {
            named.put(verb, only(rules, verbs, verb));
        }
        return new ByVerb<>(named, only(rules, verbs, null));
    }

    /** The rules, in order, that do not care about the value or name {@code value} (null: a value none names). */
    private static <T> List<T> only(List<T> rules, Function<T, Set<String>> values, String value) {
        List<T> kept = new ArrayList<>();
        for (T rule : rules) {
            Set<String> named = values.apply(rule);
            if (named == null || value != null && named.contains(value)) {
                kept.add(rule);
            }
        }
        return List.copyOf(kept);
    }

    /** The rules, in the order given, that can match an event with this resource and verb (either may be null). */
    public List<T> candidates(String resource, String verb) {
        String resourceKey = resource == null ? null : key(resource);
        String verbKey = verb == null ? null : key(verb);
        if (resource != null && resourceKey == null || verb != null && verbKey == null) {
            return all;
        }
        ByVerb<T> byVerb = resourceKey == null ? null : byResource.get(resourceKey);
        return (byVerb == null ? otherResource : byVerb).get(verbKey);
    }

    /** The value in lower case (itself when it already is: no copy), or null when it is not ASCII. */
    private static String key(String value) {
        boolean upper = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                return null;
            }
            upper |= c >= 'A' && c <= 'Z';
        }
        return upper ? value.toLowerCase(java.util.Locale.ROOT) : value;
    }
}
