package io.auditwatch.cli;

import io.auditwatch.kafka.Topics;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.ingest.IngestMetrics;
import io.auditwatch.ingest.file.LogFollower;
import io.auditwatch.ingest.webhook.WebhookConfig;
import io.auditwatch.ingest.webhook.WebhookReceiver;
import io.auditwatch.metrics.PrometheusEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code auditwatch run ingest}: the audit webhook receiver, or with {@code --file} a follower of log files. */
@Command(name = "ingest", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Audit events into audit.events: kube-apiserver's audit webhook (HTTPS, mTLS or bearer"
                + " token), or with --file the --audit-log-path files (rotation, truncation, .gz archives).",
                "Cloud exports (EKS CloudWatch, AKS diagnostics, GKE Cloud Logging) are accepted in either."})
final class IngestCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    private String bootstrapServers;

    @Option(names = "--cluster", paramLabel = "NAME",
            description = "Cluster these events come from (record header auditwatch.cluster); a cloud export's own"
                    + " cluster name wins.")
    String cluster;

    @Option(names = "--file", paramLabel = "PATH", arity = "1..*",
            description = "Follow these audit log files instead of serving the webhook.")
    List<Path> files;

    @Option(names = "--checkpoint", paramLabel = "FILE", defaultValue = "./data/ingest-checkpoint.json",
            description = "Where --file keeps each file's identity and acknowledged offset.")
    Path checkpoint;

    @Option(names = "--listen-address", paramLabel = "HOST", defaultValue = "0.0.0.0",
            description = "Address the webhook listens on.")
    String listenAddress;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8443", description = "Webhook port (also serves /metrics).")
    int port;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Server certificate chain, PEM.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", showDefaultValue = Help.Visibility.NEVER,
            description = "Server private key, PEM (PKCS#1, PKCS#8 or EC).")
    Path tlsKey;

    @Option(names = "--client-ca", paramLabel = "FILE",
            description = "CA of accepted client certificates (mTLS), PEM.")
    Path clientCa;

    @Option(names = "--allowed-client-names", paramLabel = "CN", split = ",",
            description = "Client certificate common names allowed (others get 403); default any the CA signed.")
    List<String> allowedClientNames;

    @Option(names = "--token-file", paramLabel = "FILE", showDefaultValue = Help.Visibility.NEVER,
            description = "File holding the bearer token the API server presents.")
    Path tokenFile;

    @Option(names = "--insecure-http", description = "Plain HTTP, for local tests only.")
    boolean insecureHttp;

    @Option(names = "--max-body-bytes", paramLabel = "BYTES", defaultValue = "" + (32 * 1024 * 1024),
            description = "Larger webhook bodies get 413.")
    int maxBodyBytes;

    @Option(names = "--delivery-timeout", paramLabel = "DURATION", defaultValue = "PT15S",
            description = "How long a batch may wait for Kafka before the webhook answers 503, ISO-8601.")
    Duration deliveryTimeout;

    @Option(names = "--retry-after", paramLabel = "DURATION", defaultValue = "PT10S",
            description = "Retry-After of a 503, ISO-8601.")
    Duration retryAfter;

    @Option(names = "--read-timeout", paramLabel = "DURATION", defaultValue = "PT10S",
            description = "How long a webhook request's headers and body may take to arrive; a slower client"
                    + " (a stalled or slowloris connection) is cut off and its thread freed, ISO-8601.")
    Duration readTimeout;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "8", description = "Concurrent webhook requests.")
    int threads;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve /metrics (Prometheus), /healthz and /readyz (Kafka answers) over plain HTTP on this"
                    + " port; the webhook's own port serves /metrics too.")
    Integer metricsPort;

    @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "PT0.5S",
            description = "With --file: how often files are checked for new lines, ISO-8601.")
    Duration pollInterval;

    @Override
    public Integer call() throws Exception {
        WebhookConfig webhook = files == null ? webhookConfig() : null; // settings first: fail before connecting
        bootstrapServers = kafka.connect();
        KafkaAdmin.ensureTopics(bootstrapServers, Topics.DEFAULT_PARTITIONS, Duration.ofSeconds(30));
        try (PrometheusEndpoint metrics = new PrometheusEndpoint();
             KafkaAdmin probeAdmin = KafkaAdmin.open(bootstrapServers, RunCommand.PROBE_TIMEOUT);
             AuditProducer producer = new AuditProducer(bootstrapServers, deliveryTimeout)) {
            if (metricsPort != null) {
                metrics.serve(new InetSocketAddress(listenAddress, metricsPort), () -> true,
                        probeAdmin.probe(Duration.ofSeconds(5)));
            }
            return webhook != null ? webhook(webhook, producer, metrics) : follow(producer, metrics);
        }
    }

    private WebhookConfig webhookConfig() {
        WebhookConfig config;
        try {
            config = new WebhookConfig(new InetSocketAddress(listenAddress, port), tlsCert, tlsKey, clientCa,
                    allowedClientNames == null ? List.of() : allowedClientNames, tokenFile, insecureHttp, maxBodyBytes,
                    retryAfter, readTimeout, threads, cluster);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage() + " (see --tls-cert, --tls-key, --client-ca, --token-file, --insecure-http)",
                    e, 2);
        }
        for (Path p : new Path[] {tlsCert, tlsKey, clientCa, tokenFile}) {
            if (p != null && !Files.isReadable(p)) {
                throw new UserError("cannot read " + p);
            }
        }
        return config;
    }

    private int webhook(WebhookConfig config, AuditProducer producer, PrometheusEndpoint metrics) throws Exception {
        WebhookReceiver receiver;
        try {
            receiver = WebhookReceiver.start(config, producer, metrics);
        } catch (IOException e) {
            throw new UserError("cannot start the webhook on " + listenAddress + ":" + port + ": " + e.getMessage(), e);
        }
        System.err.println("ingest webhook on " + (insecureHttp ? "http" : "https") + "://" + listenAddress + ":"
                + receiver.port() + " -> " + bootstrapServers + " (Ctrl-C stops it)");
        RunCommand.awaitShutdown(receiver);
        return 0;
    }

    private int follow(AuditProducer producer, PrometheusEndpoint metrics) throws Exception {
        try (LogFollower follower = new LogFollower(files, checkpoint, producer, new IngestMetrics(metrics.registry()),
                cluster)) {
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                follower.stop();
                try {
                    stopped.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            System.err.println("following " + files + " -> " + bootstrapServers + " (Ctrl-C stops it)");
            try {
                follower.run(pollInterval);
            } finally {
                stopped.countDown();
            }
        }
        return 0;
    }
}
