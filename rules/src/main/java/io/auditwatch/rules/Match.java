package io.auditwatch.rules;

import io.auditwatch.event.AuditEvent;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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

    static Match and(List<Match> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        Match[] all = parts.toArray(Match[]::new);
        Set<String> resources = null;
        for (Match part : all) {
            Set<String> r = part.resources();
            if (r != null) {
                if (resources == null) {
                    resources = new HashSet<>(r);
                } else {
                    resources.retainAll(r);
                }
            }
        }
        Set<String> hint = resources == null ? null : Set.copyOf(resources);
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
                return hint;
            }
        };
    }

    static Match or(List<Match> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        Match[] any = parts.toArray(Match[]::new);
        Set<String> resources = new HashSet<>();
        for (Match part : any) {
            Set<String> r = part.resources();
            if (r == null) {
                resources = null;
                break;
            }
            resources.addAll(r);
        }
        Set<String> hint = resources == null ? null : Set.copyOf(resources);
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
                return hint;
            }
        };
    }

    static Match not(Match inner) {
        return event -> !inner.test(event);
    }
}
