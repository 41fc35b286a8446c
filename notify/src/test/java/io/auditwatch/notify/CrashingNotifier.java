package io.auditwatch.notify;

import io.auditwatch.alert.Level;
import io.auditwatch.notify.delivery.RetryPolicy;
import io.auditwatch.notify.pagerduty.PagerDutyDestination;
import io.auditwatch.notify.routing.Plan;
import io.auditwatch.notify.routing.Route;
import io.auditwatch.notify.routing.Routing;
import io.auditwatch.notify.slack.SlackDestination;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Run in a child JVM by {@link NotifierBrokerTest}: a notifier that dies (halt: no shutdown hooks, no close, no
 * commit) at the commit point right after its {@code n}-th alert was delivered everywhere.
 * Args: bootstrap, group, Slack URL, PagerDuty base URL, n.
 */
public final class CrashingNotifier {
    public static final int EXIT_CODE = 137;

    private CrashingNotifier() {
    }

    public static Plan plan(URI slack, URI pagerDuty) {
        return new Plan(List.of(new SlackDestination("soc", slack, Duration.ZERO),
                new PagerDutyDestination("oncall", pagerDuty, NotifierBrokerTest.ROUTING_KEY, Duration.ZERO)),
                new Routing(List.of(Route.atLeast(Level.MEDIUM, "soc"), Route.atLeast(Level.HIGH, "oncall"))));
    }

    public static NotifierConfig config(String bootstrap, String group, Duration window, int attempts) {
        return NotifierConfig.defaults(bootstrap).withGroupId(group).withRoutesTopic(null)
                .withDelivery(window, new RetryPolicy(attempts, Duration.ofMillis(10), Duration.ofMillis(50),
                        Duration.ofSeconds(10)))
                .withSessionTimeout(Duration.ofSeconds(6)); // the broker's minimum: the restart takes over from the dead child sooner
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[4]);
        Notifier notifier = new Notifier(config(args[0], args[1], Duration.ZERO, 3),
                plan(URI.create(args[2]), URI.create(args[3])), Clock.systemUTC(), null);
        notifier.beforeCommit(() -> {
            if (notifier.settled() >= n) {
                Runtime.getRuntime().halt(EXIT_CODE);
            }
        });
        notifier.run();
    }
}
