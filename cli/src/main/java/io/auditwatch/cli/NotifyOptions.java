package io.auditwatch.cli;

import io.auditwatch.alert.AlertFormat;
import io.auditwatch.alert.Level;
import io.auditwatch.notify.NotifierConfig;
import io.auditwatch.notify.delivery.Destination;
import io.auditwatch.notify.delivery.RetryPolicy;
import io.auditwatch.notify.pagerduty.PagerDutyDestination;
import io.auditwatch.notify.routing.Plan;
import io.auditwatch.notify.routing.Route;
import io.auditwatch.notify.routing.Routing;
import io.auditwatch.notify.routing.RoutingException;
import io.auditwatch.notify.routing.RoutingFile;
import io.auditwatch.notify.routing.Secret;
import io.auditwatch.notify.slack.SlackDestination;
import io.auditwatch.notify.webhook.WebhookDestination;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Help;
import picocli.CommandLine.Option;

/**
 * Where alerts go: a routing file, or one destination of each kind with default routes (PagerDuty high and
 * above, Slack and the webhook medium and above: low and informational alerts are records, sent to nobody
 * unless a routing file says so, see docs/rules.md#levels). Secrets come from files (the -file options) or
 * from the environment (AUDITWATCH_SLACK_WEBHOOK_URL, AUDITWATCH_PAGERDUTY_ROUTING_KEY, AUDITWATCH_WEBHOOK_URL,
 * AUDITWATCH_WEBHOOK_HMAC_KEY); their values are never shown in help, logs or errors.
 */
final class NotifyOptions {
    static final String SLACK = "slack";
    static final String PAGERDUTY = "pagerduty";
    static final String WEBHOOK = "webhook";

    @Option(names = "--routing-file", paramLabel = "FILE",
            description = "YAML with destinations and routes (docs/alerting.md). Replaces the single-destination options.")
    Path routingFile;

    @Option(names = "--slack-webhook-file", paramLabel = "FILE",
            description = "File holding a Slack incoming-webhook URL; alerts of level medium and above go there.")
    Path slackWebhookFile;

    @Option(names = "--slack-webhook-url", paramLabel = "URL", showDefaultValue = Help.Visibility.NEVER,
            description = "The Slack webhook URL itself; set AUDITWATCH_SLACK_WEBHOOK_URL rather than this flag, "
                    + "which other users of the machine can see.")
    String slackWebhookUrl;

    @Option(names = "--pagerduty-routing-key-file", paramLabel = "FILE",
            description = "File holding a PagerDuty Events API v2 routing key; alerts of level high and above page.")
    Path pagerDutyRoutingKeyFile;

    @Option(names = "--pagerduty-routing-key", paramLabel = "KEY", showDefaultValue = Help.Visibility.NEVER,
            description = "The routing key itself; set AUDITWATCH_PAGERDUTY_ROUTING_KEY rather than this flag.")
    String pagerDutyRoutingKey;

    @Option(names = "--pagerduty-url", paramLabel = "URL", defaultValue = PagerDutyDestination.DEFAULT_BASE_URL,
            description = "PagerDuty Events API base URL (events are POSTed to URL/v2/enqueue).")
    String pagerDutyUrl;

    @Option(names = "--webhook-format", paramLabel = "FORMAT", defaultValue = "json",
            description = "What the webhook receives: json (ours), ocsf (an OCSF 1.x Detection Finding) or ecs"
                    + " (Elastic Common Schema).")
    AlertFormat webhookFormat;

    @Option(names = "--webhook-url-file", paramLabel = "FILE",
            description = "File holding a URL that gets every alert of level medium and above as signed JSON.")
    Path webhookUrlFile;

    @Option(names = "--webhook-url", paramLabel = "URL", showDefaultValue = Help.Visibility.NEVER,
            description = "The webhook URL itself; set AUDITWATCH_WEBHOOK_URL rather than this flag.")
    String webhookUrl;

    @Option(names = "--webhook-hmac-key-file", paramLabel = "FILE",
            description = "File holding the key that signs webhook bodies (HMAC-SHA256, header X-Auditwatch-Signature).")
    Path webhookHmacKeyFile;

    @Option(names = "--webhook-hmac-key", paramLabel = "KEY", showDefaultValue = Help.Visibility.NEVER,
            description = "The signing key itself; set AUDITWATCH_WEBHOOK_HMAC_KEY rather than this flag.")
    String webhookHmacKey;

    @Option(names = "--group-window", paramLabel = "DURATION",
            description = "Repeats of one finding within this window become one message with a count, ISO-8601; PT0S sends each.")
    Duration groupWindow = NotifierConfig.defaults(null).groupWindow();

    @Option(names = "--max-attempts", paramLabel = "N",
            description = "Attempts per destination before an alert goes to auditwatch.alerts.dlq with the last error.")
    int maxAttempts = RetryPolicy.DEFAULT.maxAttempts();

    @Option(names = "--retry-backoff", paramLabel = "DURATION",
            description = "First wait between attempts (doubles up to 2 minutes) when a destination sends no Retry-After.")
    Duration retryBackoff = RetryPolicy.DEFAULT.firstBackoff();

    RetryPolicy retryPolicy() {
        if (maxAttempts < 1 || groupWindow.isNegative() || retryBackoff.isNegative()) {
            throw new UserError("--max-attempts must be at least 1, --group-window and --retry-backoff not negative",
                    null, 2);
        }
        return new RetryPolicy(maxAttempts, retryBackoff, RetryPolicy.DEFAULT.maxBackoff(),
                RetryPolicy.DEFAULT.requestTimeout());
    }

    /** The destinations and routes these options describe; empty when none is configured. */
    Plan plan(Map<String, String> env) {
        try {
            boolean single = slackWebhookFile != null || slackWebhookUrl != null || pagerDutyRoutingKeyFile != null
                    || pagerDutyRoutingKey != null || webhookUrlFile != null || webhookUrl != null;
            if (routingFile != null) {
                if (single) {
                    throw new UserError("use --routing-file or the single-destination options, not both", null, 2);
                }
                return RoutingFile.load(routingFile, env);
            }
            List<Destination> destinations = new ArrayList<>();
            List<Route> routes = new ArrayList<>();
            if (pagerDutyRoutingKeyFile != null || pagerDutyRoutingKey != null) {
                String key = pagerDutyRoutingKey != null ? pagerDutyRoutingKey
                        : Secret.read("PagerDuty routing key", pagerDutyRoutingKeyFile, null, env);
                destinations.add(new PagerDutyDestination(PAGERDUTY, Secret.url("--pagerduty-url", pagerDutyUrl), key,
                        Duration.ZERO));
                routes.add(Route.atLeast(Level.HIGH, PAGERDUTY));
            }
            if (slackWebhookFile != null || slackWebhookUrl != null) {
                URI url = slackWebhookUrl != null ? Secret.url("Slack webhook URL", slackWebhookUrl)
                        : Secret.readUrl("Slack webhook URL", slackWebhookFile, null, env);
                destinations.add(new SlackDestination(SLACK, url, SlackDestination.DEFAULT_MIN_INTERVAL));
                routes.add(Route.atLeast(Level.MEDIUM, SLACK));
            }
            if (webhookUrlFile != null || webhookUrl != null) {
                URI url = webhookUrl != null ? Secret.url("webhook URL", webhookUrl)
                        : Secret.readUrl("webhook URL", webhookUrlFile, null, env);
                if (webhookHmacKeyFile == null && webhookHmacKey == null) {
                    throw new UserError("a webhook needs a signing key: --webhook-hmac-key-file or"
                            + " AUDITWATCH_WEBHOOK_HMAC_KEY", null, 2);
                }
                String key = webhookHmacKey != null ? webhookHmacKey
                        : Secret.read("webhook HMAC key", webhookHmacKeyFile, null, env);
                destinations.add(new WebhookDestination(WEBHOOK, url, key, Duration.ZERO, webhookFormat));
                routes.add(Route.atLeast(Level.MEDIUM, WEBHOOK));
            }
            return new Plan(destinations, new Routing(routes));
        } catch (RoutingException e) {
            throw new UserError(e.getMessage(), null, 2);
        }
    }
}
