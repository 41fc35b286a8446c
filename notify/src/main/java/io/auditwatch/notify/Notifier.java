package io.auditwatch.notify;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import io.auditwatch.alert.ConsoleFormat;
import io.auditwatch.kafka.DlqHeaders;
import io.auditwatch.kafka.KafkaClients;
import io.auditwatch.notify.delivery.DeliveryStore;
import io.auditwatch.notify.delivery.Destination;
import io.auditwatch.notify.delivery.DestinationWorker;
import io.auditwatch.notify.delivery.DestinationWorker.Job;
import io.auditwatch.notify.delivery.DestinationWorker.Outcome;
import io.auditwatch.notify.grouping.Grouper;
import io.auditwatch.notify.routing.Plan;
import io.auditwatch.notify.routing.Routing;
import io.auditwatch.notify.routing.RoutingException;
import io.auditwatch.notify.routing.RoutingFile;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Delivers {@code auditwatch.alerts} (read_committed) to the destinations the routes choose, at least once and
 * without paging twice. An alert's offset is committed only once every routed destination accepted it, or once
 * it went to the DLQ with the destination's last error; a crash therefore redelivers, and the delivery record
 * in Kafka (plus PagerDuty's dedup_key) keeps a redelivery, on any instance, from posting again. Each
 * destination has its own worker, so a destination that is down holds back only its own messages (and the
 * commit, never the others' delivery).
 */
public final class Notifier implements AutoCloseable {
    /** DLQ destination value for a record that is not an alert at all. */
    public static final String UNPARSEABLE = "(unparseable)";

    private record Ticket(TopicPartition partition, long offset) {
    }

    /** A record read but not yet settled: the destinations still to accept it. */
    private static final class Pending {
        final ConsumerRecord<String, byte[]> record;
        final Set<String> awaiting;

        Pending(ConsumerRecord<String, byte[]> record, Set<String> awaiting) {
            this.record = record;
            this.awaiting = awaiting;
        }
    }

    private final NotifierConfig config;
    private final Plan filePlan;
    private Plan plan;
    private final KafkaConsumer<String, String> routes;
    private final Consumer<Alert> echo;
    private final DeliveryStore store;
    private final Map<String, DestinationWorker> workers = new LinkedHashMap<>();
    private final Grouper<Ticket> grouper;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> dlq;
    private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final Map<TopicPartition, TreeMap<Long, Pending>> pending = new HashMap<>();
    private final Map<TopicPartition, Long> readUpTo = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong settled = new AtomicLong();
    private volatile Runnable beforeCommit = () -> { };
    private volatile long lastTurn = System.nanoTime();

    /**
     * @param echo also shown each alert as it is read (the console), or null
     */
    public Notifier(NotifierConfig config, Plan plan, Clock clock, Consumer<Alert> echo) {
        this.config = config;
        this.filePlan = plan;
        this.plan = plan;
        this.echo = echo;
        this.grouper = new Grouper<>(config.groupWindow(), clock);
        this.store = DeliveryStore.open(config.bootstrapServers(), config.groupId(), config.deliveriesTopic(),
                config.storeRetention(), clock);
        HttpClient http = HttpClient.newBuilder().connectTimeout(config.retry().requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        for (Destination d : plan.destinations()) {
            workers.put(d.name(), new DestinationWorker(d, http, store, config.retry(), outcomes::add));
        }
        Map<String, Object> producerConfig = KafkaClients.config(config.bootstrapServers());
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.dlq = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
        Map<String, Object> consumerConfig = KafkaClients.config(config.bootstrapServers());
        consumerConfig.putAll(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, config.groupId(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) config.sessionTimeout().toMillis(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.fromLatest() ? "latest" : "earliest"));
        this.consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
        this.routes = config.routesTopic() == null ? null : routesConsumer(config);
        catchUpOnRoutes();
        consumer.subscribe(List.of(config.alertsTopic()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                commit();
                forget(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                // Positions come from the group's committed offsets. What the previous owner delivered but did
                // not commit comes again: learn its deliveries first, so none is posted twice.
                if (!partitions.isEmpty()) {
                    store.catchUp();
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                forget(partitions);
            }
        });
    }

    /** Reads the routes topic from its beginning, without a group: every instance applies every record. */
    private static KafkaConsumer<String, String> routesConsumer(NotifierConfig config) {
        Map<String, Object> consumerConfig = KafkaClients.config(config.bootstrapServers());
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new StringDeserializer());
        List<TopicPartition> partitions = c.partitionsFor(config.routesTopic()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        if (partitions.isEmpty()) {
            System.err.println("notify: topic " + config.routesTopic() + " does not exist; routes come from the file only");
        }
        c.assign(partitions);
        c.seekToBeginning(partitions);
        return c;
    }

    /** Applies every routes record up to the end of the topic as it is now, so the first alert sees the latest. */
    private void catchUpOnRoutes() {
        if (routes == null || routes.assignment().isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> end = routes.endOffsets(routes.assignment());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (end.entrySet().stream().anyMatch(e -> routes.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + config.routesTopic() + " to its end within 30 s");
            }
            pollRoutes(Duration.ofMillis(200));
        }
    }

    /**
     * The latest routes record wins; a tombstone restores the routes of the file or flags. A bad record is
     * rejected with its reason and the last good routes stay.
     */
    private void pollRoutes(Duration timeout) {
        if (routes == null || routes.assignment().isEmpty()) {
            return;
        }
        for (ConsumerRecord<String, String> r : routes.poll(timeout)) {
            String source = "routes at " + r.topic() + "-" + r.partition() + "@" + r.offset();
            try {
                plan = r.value() == null ? filePlan : filePlan.withRouting(RoutingFile.routes(source, r.value()));
                System.err.println("notify: " + source + " applied: " + plan.routing().routes().size() + " routes"
                        + (r.value() == null ? " (from the routing file or flags)" : ""));
            } catch (RoutingException e) {
                String reason = e.getMessage().startsWith(source + ": ")
                        ? e.getMessage().substring(source.length() + 2) : e.getMessage();
                System.err.println("notify: " + source + " rejected (" + ConsoleFormat.escape(reason)
                        + "); the previous routes stay");
            }
        }
    }

    /** The routes in force. */
    public Routing routing() {
        return plan.routing();
    }

    /** For tests: runs right before each offset commit, after the deliveries it covers; throwing there is a crash. */
    public void beforeCommit(Runnable hook) {
        this.beforeCommit = hook;
    }

    /** Alive while the loop turns: a turn within {@code stall} (a turn is one poll, at most a few seconds). */
    public boolean turnedWithin(Duration stall) {
        return System.nanoTime() - lastTurn < stall.toNanos();
    }

    /**
     * Publishes to {@code registry} the delivery counters ({@code auditwatch.notify.deliveries} by destination and
     * outcome, {@code auditwatch.notify.dlq} by destination) and the alerts consumer's own metrics (lag).
     */
    public void bindMetrics(MeterRegistry registry) {
        Metrics.addRegistry(registry);
        new KafkaClientMetrics(consumer).bindTo(registry);
    }

    /** Alerts settled so far: delivered everywhere they were routed, routed nowhere, or sent to the DLQ. */
    public long settled() {
        return settled.get();
    }

    /** Polls until the group has assigned partitions and fixed positions (so "latest" means "from now"). */
    public void awaitAssignment(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.assignment().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no partitions of " + config.alertsTopic() + " assigned within " + timeout);
            }
            runOnce(Duration.ofMillis(100));
        }
        consumer.assignment().forEach(consumer::position);
    }

    /** Runs until {@link #stop()} is called from another thread. */
    public void run() {
        try {
            while (running.get()) {
                runOnce(Duration.ofMillis(100));
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        }
    }

    /** One turn: read, settle what the workers finished, send closed groups, commit what is settled. */
    public void runOnce(Duration pollTimeout) {
        lastTurn = System.nanoTime();
        pollRoutes(Duration.ZERO);
        if (pendingCount() >= config.maxPending()) {
            consumer.pause(consumer.assignment());
        } else if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(pollTimeout)) {
            TopicPartition tp = new TopicPartition(record.topic(), record.partition());
            committed.putIfAbsent(tp, record.offset()); // where this assignment started: nothing to commit yet
            readUpTo.put(tp, record.offset() + 1);
            accept(tp, record);
        }
        for (Outcome outcome; (outcome = outcomes.poll()) != null; ) {
            settle(outcome);
        }
        for (Grouper.Group<Ticket> group : grouper.due()) {
            dispatch(group.messageId(), group.alert(), group.tickets());
        }
        commit();
    }

    private void accept(TopicPartition tp, ConsumerRecord<String, byte[]> record) {
        Alert alert;
        try {
            alert = AlertCodec.fromJson(record.value());
            if (alert.rule() == null || alert.rule().level() == null || alert.id() == null) {
                throw new IllegalArgumentException("an alert needs id, rule and rule.level");
            }
        } catch (RuntimeException e) {
            Throwable why = e.getCause() != null ? e.getCause() : e;
            toDlq(record, UNPARSEABLE, "not an alert: " + ConsoleFormat.escape(String.valueOf(why.getMessage())
                    .lines().findFirst().orElse("")), 0);
            settled.incrementAndGet();
            return;
        }
        if (echo != null) {
            echo.accept(alert);
        }
        Set<String> to = plan.routing().destinationsFor(alert);
        if (to.isEmpty()) {
            settled.incrementAndGet();
            return;
        }
        pending.computeIfAbsent(tp, k -> new TreeMap<>()).put(record.offset(), new Pending(record, new LinkedHashSet<>(to)));
        Ticket ticket = new Ticket(tp, record.offset());
        if (alert.resolved()) {
            // Held repeats first: each destination sends in order, so the resolution comes last.
            for (Grouper.Group<Ticket> group : grouper.close(alert.dedupKey())) {
                dispatch(group.messageId(), group.alert(), group.tickets());
            }
            dispatch(alert.id(), alert, List.of(ticket));
        } else {
            // A higher level than its open window's: the held repeats, then the escalation, both at once.
            for (Grouper.Group<Ticket> group : grouper.escalate(alert)) {
                dispatch(group.messageId(), group.alert(), group.tickets());
            }
            if (grouper.offer(alert, ticket)) {
                dispatch(alert.id(), alert, List.of(ticket));
            }
        }
    }

    /** Sends one message to every destination that any of its tickets still awaits. */
    private void dispatch(String messageId, Alert alert, List<Ticket> tickets) {
        Set<String> to = new LinkedHashSet<>();
        for (Ticket t : tickets) {
            Pending p = pendingOf(t);
            if (p != null) {
                to.addAll(p.awaiting);
            }
        }
        for (String destination : to) {
            workers.get(destination).submit(new Job(messageId, alert, tickets));
        }
    }

    private void settle(Outcome outcome) {
        @SuppressWarnings("unchecked")
        List<Ticket> tickets = (List<Ticket>) outcome.job().ticket();
        for (Ticket t : tickets) {
            Pending p = pendingOf(t);
            if (p == null || !p.awaiting.contains(outcome.destination())) {
                continue; // partition moved to another instance, or already settled
            }
            Metrics.counter("auditwatch.notify.deliveries", "destination", outcome.destination(),
                    "outcome", outcome.accepted() ? "accepted" : "failed").increment();
            if (!outcome.accepted()) {
                toDlq(p.record, outcome.destination(), outcome.error(), outcome.attempts());
            }
            p.awaiting.remove(outcome.destination());
            if (p.awaiting.isEmpty()) {
                pending.get(t.partition()).remove(t.offset());
                settled.incrementAndGet();
            }
        }
    }

    /** Writes the record to the DLQ and waits for Kafka's acknowledgement: only then may its offset move on. */
    private void toDlq(ConsumerRecord<String, byte[]> record, String destination, String error, int attempts) {
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(config.dlqTopic(), record.key(), record.value());
        DlqHeaders.add(out.headers(), DlqHeaders.DESTINATION, destination);
        DlqHeaders.add(out.headers(), DlqHeaders.ERROR, error);
        DlqHeaders.add(out.headers(), DlqHeaders.ATTEMPTS, attempts);
        try {
            dlq.send(out).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write to " + config.dlqTopic() + ": " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + config.dlqTopic(), e);
        }
        Metrics.counter("auditwatch.notify.dlq", "destination", destination).increment();
        System.err.println("notify: alert at " + record.topic() + "-" + record.partition() + "@" + record.offset()
                + " could not be delivered to " + destination + " (" + error + "); sent to " + config.dlqTopic());
    }

    /** Commits, per partition, up to the first record not yet settled. */
    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, Long> e : readUpTo.entrySet()) {
            TreeMap<Long, Pending> open = pending.get(e.getKey());
            long upTo = open == null || open.isEmpty() ? e.getValue() : open.firstKey();
            if (!Long.valueOf(upTo).equals(committed.get(e.getKey()))) {
                offsets.put(e.getKey(), new OffsetAndMetadata(upTo));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        beforeCommit.run();
        consumer.commitSync(offsets);
        offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
    }

    private void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            pending.remove(tp);
            readUpTo.remove(tp);
            committed.remove(tp);
        }
    }

    private Pending pendingOf(Ticket t) {
        TreeMap<Long, Pending> open = pending.get(t.partition());
        return open == null ? null : open.get(t.offset());
    }

    private int pendingCount() {
        return pending.values().stream().mapToInt(Map::size).sum();
    }

    public void stop() {
        running.set(false);
        consumer.wakeup();
    }

    /**
     * A graceful stop, on the thread that ran the loop: lets the deliveries in flight finish, settles and commits
     * what the destinations accepted (so the next owner of the partitions does not read it again), and closes
     * the Kafka clients. Nothing not yet settled is committed; held repeats and unsent alerts come again.
     */
    @Override
    public void close() {
        workers.values().forEach(DestinationWorker::close);
        try {
            for (Outcome outcome; (outcome = outcomes.poll()) != null; ) {
                settle(outcome);
            }
            try {
                commit();
            } catch (WakeupException pendingStop) { // stop() woke a consumer that was not waiting: once more
                commit();
            }
        } catch (RuntimeException e) {
            System.err.println("notify: could not commit the last deliveries on stop (" + e.getMessage()
                    + "); the next instance finds them in " + config.deliveriesTopic() + " and does not post them again");
        }
        consumer.close(Duration.ofSeconds(5));
        dlq.close(Duration.ofSeconds(5));
        if (routes != null) {
            routes.close(Duration.ofSeconds(5));
        }
        store.close();
    }
}
