package io.auditwatch.ingest;

import io.auditwatch.ingest.webhook.WebhookConfig;
import io.auditwatch.ingest.webhook.WebhookReceiver;
import io.auditwatch.metrics.PrometheusEndpoint;
import java.io.IOException;
import java.time.Duration;

/** The audit webhook as ingest runs it, for tests: its producer to Kafka, its metrics and the receiver. */
final class RunningWebhook implements AutoCloseable {
    final AuditProducer producer;
    final PrometheusEndpoint metrics;
    final WebhookReceiver receiver;

    private RunningWebhook(AuditProducer producer, PrometheusEndpoint metrics, WebhookReceiver receiver) {
        this.producer = producer;
        this.metrics = metrics;
        this.receiver = receiver;
    }

    /** @param deliveryTimeout how long the producer tries a batch before the receiver answers 503 */
    static RunningWebhook start(String bootstrap, Duration deliveryTimeout, WebhookConfig config) throws IOException {
        AuditProducer producer = new AuditProducer(bootstrap, deliveryTimeout);
        PrometheusEndpoint metrics = new PrometheusEndpoint();
        try {
            return new RunningWebhook(producer, metrics, WebhookReceiver.start(config, producer, metrics));
        } catch (IOException | RuntimeException e) {
            producer.close();
            metrics.close();
            throw e;
        }
    }

    int port() {
        return receiver.port();
    }

    @Override
    public void close() {
        receiver.close();
        producer.close();
        metrics.close();
    }
}
