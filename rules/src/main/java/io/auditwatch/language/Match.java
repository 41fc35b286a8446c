package io.auditwatch.language;

import io.auditwatch.event.AuditEvent;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** A compiled piece of a detection: a field clause, a selection, or a condition over selections. */
interface Match {
    boolean test(AuditEvent event);

    /**
     * The {@code objectRef.resource} values (lower case) an event must have to match, or null if any will do.
     * The engine uses it to try only the rules that can match an event's resource.
     */
    default Set<String> resources() {
        return null;
    }

    /** The verbs (lower case) an event must have to match, or null if any will do; used as {@link #resources()}. */
    default Set<String> verbs() {
        return null;
    }

    static Match and(List<Match> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        Match[] all = parts.toArray(Match[]::new);
        Set<String> resources = everyOf(all, Match::resources);
        Set<String> verbs = everyOf(all, Match::verbs);
        return new Match() {
            @Override
            public boolean test(AuditEvent event) {
                for (Match part : all) {
                    if (!part.test(event)) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public Set<String> resources() {
                return resources;
            }

            @Override
            public Set<String> verbs() {
                return verbs;
            }
        };
    }

    static Match or(List<Match> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        Match[] any = parts.toArray(Match[]::new);
        Set<String> resources = anyOf(any, Match::resources);
        Set<String> verbs = anyOf(any, Match::verbs);
        return new Match() {
            @Override
            public boolean test(AuditEvent event) {
                for (Match part : any) {
                    if (part.test(event)) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public Set<String> resources() {
                return resources;
            }

            @Override
            public Set<String> verbs() {
                return verbs;
            }
        };
    }

    static Match not(Match inner) {
        return event -> !inner.test(event);
    }

    /** What all of the parts require: the values every part that names some allows, or null if none does. */
    private static Set<String> everyOf(Match[] parts, Function<Match, Set<String>> hint) {
        Set<String> values = null;
        for (Match part : parts) {
            Set<String> named = hint.apply(part);
            if (named != null) {
                if (values == null) {
                    values = new HashSet<>(named);
                } else {
                    values.retainAll(named);
                }
            }
        }
        return values == null ? null : Set.copyOf(values);
    }

    /** What any of the parts allows: null as soon as one part allows any value. */
    private static Set<String> anyOf(Match[] parts, Function<Match, Set<String>> hint) {
        Set<String> values = new HashSet<>();
        for (Match part : parts) {
            Set<String> named = hint.apply(part);
            if (named == null) {
                return null;
            }
            values.addAll(named);
        }
        return Set.copyOf(values);
    }
}
