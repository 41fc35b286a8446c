package io.auditwatch.notify.routing;

import io.auditwatch.alert.Alert;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Every route that matches an alert adds its destinations; an alert no route matches goes nowhere. */
public record Routing(List<Route> routes) {
    public Routing {
        routes = List.copyOf(routes);
    }

    public Set<String> destinationsFor(Alert alert) {
        Set<String> to = new LinkedHashSet<>();
        for (Route route : routes) {
            if (route.matches(alert)) {
                to.addAll(route.to());
            }
        }
        return to;
    }
}
