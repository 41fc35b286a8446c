package io.auditwatch.notify.routing;

import io.auditwatch.notify.delivery.Destination;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The destinations and the routes between them, checked: names are unique and every route's target exists. */
public record Plan(List<Destination> destinations, Routing routing) {
    public Plan {
        destinations = List.copyOf(destinations);
        Set<String> names = new HashSet<>();
        for (Destination d : destinations) {
            if (!names.add(d.name())) {
                throw new RoutingException("destination '" + d.name() + "' is defined twice");
            }
        }
        for (Route route : routing.routes()) {
            for (String to : route.to()) {
                if (!names.contains(to)) {
                    throw new RoutingException("a route sends to '" + to + "', which is not a destination (have: "
                            + String.join(", ", names) + ")");
                }
            }
        }
    }

    /** The same destinations with other routes (run-time tuning); checked like any plan. */
    public Plan withRouting(Routing other) {
        return new Plan(destinations, other);
    }

    public boolean isEmpty() {
        return destinations.isEmpty();
    }
}
