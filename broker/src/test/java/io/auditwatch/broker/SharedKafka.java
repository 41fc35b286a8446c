package io.auditwatch.broker;

import io.auditwatch.kafka.KafkaAdmin;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded broker per test JVM, shared by every broker test of a module: a broker takes seconds to start,
 * which each test class (or each test) paid when it started its own. The broker is emptied (every topic deleted)
 * before each test class, or before each test with {@link #emptiedBeforeEachTest()}, so a test starts on an empty
 * broker as it did on its own and may use the pipeline's fixed topic names. Tests of one JVM run one at a time.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SharedKafka KAFKA = new SharedKafka();
 * ... KAFKA.bootstrapServers() ...   // from @BeforeAll on
 * }</pre>
 *
 * <p>A Streams app does not leave its group when it closes, so its group outlives the test until the broker
 * expires the member: give every Streams app and consumer group a name of its own ({@link #uniqueId}), or the
 * next one with that name waits for the stale member. Tests that stop, restart or reconfigure a broker (outages,
 * fail-over, retention, SASL) start their own with {@link EmbeddedKafka#start}.
 */
public final class SharedKafka implements BeforeAllCallback, BeforeEachCallback {
    private static final long TIMEOUT_MS = 30_000;

    private final boolean beforeEachTest;
    private final boolean pipelineTopics;
    private EmbeddedKafka broker;

    /** Emptied before each test class. */
    public SharedKafka() {
        this(false, false);
    }

    private SharedKafka(boolean beforeEachTest, boolean pipelineTopics) {
        this.beforeEachTest = beforeEachTest;
        this.pipelineTopics = pipelineTopics;
    }

    /** Emptied before each test too, for classes whose tests each set up their own topics and clients. */
    public static SharedKafka emptiedBeforeEachTest() {
        return new SharedKafka(true, false);
    }

    /** This broker with the pipeline's topics (one partition each) created after each emptying, as the detector would. */
    public SharedKafka withPipelineTopics() {
        return new SharedKafka(beforeEachTest, true);
    }

    /** {@code 127.0.0.1:<port>} of the shared broker, from the class's {@code @BeforeAll} methods on. */
    public String bootstrapServers() {
        if (broker == null) {
            throw new IllegalStateException("register SharedKafka as a static @RegisterExtension field");
        }
        return broker.bootstrapServers();
    }

    /** {@code prefix} and a random suffix: a consumer group or Streams application id no other test uses. */
    public static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        // Started once per JVM; JUnit closes the root store's AutoCloseable values when the run ends.
        broker = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedKafka.class, k -> EmbeddedKafka.start(0, null), EmbeddedKafka.class);
        prepare();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (beforeEachTest) {
            prepare();
        }
    }

    private void prepare() throws InterruptedException, ExecutionException, TimeoutException {
        empty(broker.bootstrapServers());
        if (pipelineTopics) {
            KafkaAdmin.ensureTopics(broker.bootstrapServers(), 1, Duration.ofMillis(TIMEOUT_MS));
        }
    }

    /** Deletes every topic and every consumer group that has no members, and waits until no topic is listed. */
    private static void empty(String bootstrap) throws InterruptedException, ExecutionException, TimeoutException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<String> groups = admin.listGroups().all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).stream()
                    .map(GroupListing::groupId).toList();
            for (var deleted : admin.deleteConsumerGroups(groups).deletedGroups().entrySet()) {
                try {
                    deleted.getValue().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    // A closed Streams app's group keeps its member until the session times out (see above).
                    if (!(e.getCause() instanceof GroupNotEmptyException || e.getCause() instanceof GroupIdNotFoundException)) {
                        throw e;
                    }
                }
            }
            Set<String> topics = admin.listTopics().names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (topics.isEmpty()) {
                return;
            }
            admin.deleteTopics(topics).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
            while (!admin.listTopics().names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("topics still listed " + TIMEOUT_MS + " ms after deleting them: " + topics);
                }
                Thread.sleep(20);
            }
        }
    }
}
