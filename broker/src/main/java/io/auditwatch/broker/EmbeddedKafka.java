package io.auditwatch.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real single-node Kafka (KRaft, broker and controller in this JVM) built from the Maven Central jars.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(0, null)) {   // any free port, temp dir
 *     String bootstrap = kafka.bootstrapServers();              // "127.0.0.1:<port>"
 * }
 * }</pre>
 *
 * <p>The data directory is formatted on first use only; starting again on the same directory keeps every
 * topic and record. The controller listens on a second, ephemeral port on 127.0.0.1 (static quorum, so the
 * controller port may change between restarts). Topics are never auto-created; create them with an Admin
 * client. Records up to {@link #MAX_MESSAGE_BYTES} are accepted (producers must raise
 * {@code max.request.size}, consumers {@code max.partition.fetch.bytes} is a soft limit and needs no change).
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** Largest record batch the broker accepts (12 MiB: audit events can be several MB). */
    public static final int MAX_MESSAGE_BYTES = 12 * 1024 * 1024;

    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final String META_PROPERTIES = "meta.properties";
    private static final int ATTEMPTS_WITH_EPHEMERAL_PORTS = 3;

    private final KafkaRaftServer server;
    private final int port;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final int scramPort;

    private EmbeddedKafka(KafkaRaftServer server, int port, int scramPort, Path dataDir, boolean deleteDataDirOnClose) {
        this.server = server;
        this.port = port;
        this.scramPort = scramPort;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
    }

    /**
     * Starts the broker and returns once it accepts requests.
     *
     * @param port    port of the PLAINTEXT listener on 127.0.0.1; 0 picks a free port
     * @param dataDir where Kafka keeps its data (created and formatted if needed); null uses a fresh
     *                temporary directory that {@link #close()} deletes
     * @throws StartupException with a message fit for a person (port in use, directory in use, ...)
     */
    public static EmbeddedKafka start(int port, Path dataDir) {
        return start(port, dataDir, Map.of(), false);
    }

    /** As {@link #start(int, Path)}, with broker settings of a test's own (e.g. a faster retention check). */
    public static EmbeddedKafka start(int port, Path dataDir, Map<String, String> brokerSettings) {
        return start(port, dataDir, brokerSettings, false);
    }

    /**
     * Also listens for SASL/SCRAM-SHA-512 clients over TLS ({@link #scramBootstrapServers()}), as a Strimzi
     * cluster's authenticated listener does: {@code certificate} (PEM, the chain) and {@code key} (PEM, PKCS#8,
     * unencrypted) are the listener's. Users are added with Admin#alterUserScramCredentials over the PLAINTEXT
     * listener.
     */
    public static EmbeddedKafka startWithScram(Path dataDir, Path certificate, Path key) {
        try {
            return start(0, dataDir, Map.of(
                    "listener.name.sasl_ssl.ssl.keystore.type", "PEM",
                    "listener.name.sasl_ssl.ssl.keystore.certificate.chain", Files.readString(certificate),
                    "listener.name.sasl_ssl.ssl.keystore.key", Files.readString(key)), true);
        } catch (IOException e) {
            throw new StartupException("cannot read the listener's certificate or key: " + describe(e), e);
        }
    }

    /**
     * One node (broker and controller) of a KRaft cluster whose other nodes run in other processes, for tests in
     * which a broker dies: every node is given the same {@code clusterId} and {@code voters}
     * ({@code 1@127.0.0.1:<controller port>,2@...}) and its own id, ports and data directory (formatted on first
     * use, kept after). Cluster-wide settings (internal topics' replication) come in {@code brokerSettings}.
     */
    public static EmbeddedKafka startNode(int nodeId, int port, int controllerPort, String voters, String clusterId,
                                          Path dataDir, Map<String, String> brokerSettings) {
        Path dir = dataDir.toAbsolutePath().normalize();
        Properties config = config(requireFreePort(port), controllerPort, 0, dir);
        config.put("node.id", String.valueOf(nodeId));
        config.put("controller.quorum.voters", voters);
        config.putAll(brokerSettings);
        prepareDataDir(dir, config, clusterId);
        try {
            return new EmbeddedKafka(startServer(config), port, 0, dir, false);
        } catch (RuntimeException e) {
            throw translate(e, port, dir);
        }
    }

    private static EmbeddedKafka start(int port, Path dataDir, Map<String, String> brokerSettings, boolean scram) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        boolean temporary = dataDir == null;
        Path dir;
        try {
            dir = temporary ? Files.createTempDirectory("auditwatch-kafka-") : dataDir.toAbsolutePath().normalize();
        } catch (IOException e) {
            throw new StartupException("cannot create a temporary directory for Kafka: " + e.getMessage(), e);
        }
        try {
            prepareDataDir(dir, config(0, 1, 0, dir), Uuid.randomUuid().toString());
            for (int attempt = 1; ; attempt++) {
                int brokerPort = port == 0 ? freePort() : requireFreePort(port);
                int controllerPort = freePort();
                int scramPort = scram ? freePort() : 0;
                try {
                    Properties config = config(brokerPort, controllerPort, scramPort, dir);
                    config.putAll(brokerSettings);
                    KafkaRaftServer server = startServer(config);
                    return new EmbeddedKafka(server, brokerPort, scramPort, dir, temporary);
                } catch (RuntimeException e) {
                    // An ephemeral port may be taken between probing and binding: try other ports
                    // (a fixed broker port that is taken fails in requireFreePort on the next attempt).
                    if (attempt < ATTEMPTS_WITH_EPHEMERAL_PORTS && isBindFailure(e)) {
                        continue;
                    }
                    throw translate(e, brokerPort, dir);
                }
            }
        } catch (RuntimeException e) {
            if (temporary) {
                deleteQuietly(dir);
            }
            throw e;
        }
    }

    /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** {@code 127.0.0.1:<port>} of the SASL/SCRAM listener, when started with one. */
    public String scramBootstrapServers() {
        if (scramPort == 0) {
            throw new IllegalStateException("this broker has no SASL/SCRAM listener (startWithScram)");
        }
        return HOST + ":" + scramPort;
    }

    /** The port of the PLAINTEXT listener. */
    public int port() {
        return port;
    }

    /** The absolute data directory (log.dirs and metadata log). */
    public Path dataDir() {
        return dataDir;
    }

    /** Shuts the broker down cleanly (flushes logs, releases both ports); idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (deleteDataDirOnClose) {
                deleteQuietly(dataDir);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    static Properties config(int brokerPort, int controllerPort, int scramPort, Path dir) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        // Static quorum (kraft.version 0): the controller endpoint is not written to the data dir,
        // so a restart may use another controller port.
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        if (scramPort != 0) {
            p.put("listeners", p.get("listeners") + ",SASL_SSL://" + HOST + ":" + scramPort);
            p.put("advertised.listeners",
                    p.get("advertised.listeners") + ",SASL_SSL://" + HOST + ":" + scramPort);
            p.put("listener.security.protocol.map", p.get("listener.security.protocol.map")
                    + ",SASL_SSL:SASL_SSL");
            p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        }
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dir.toString());

        // Single node: every internal topic has one replica; one partition keeps startup and group joins fast.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");

        // Audit events can be several MB.
        p.put("message.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
        p.put("replica.fetch.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));

        // Lean on a laptop: the log cleaner would otherwise allocate a 128 MiB dedupe buffer.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        // Faster registration/unfencing at startup (defaults: 2 s heartbeat).
        p.put("broker.heartbeat.interval.ms", "500");
        return p;
    }

    /** Formats {@code dir} for the node that {@code nodeConfig} describes, unless it holds Kafka data already. */
    private static void prepareDataDir(Path dir, Properties nodeConfig, String clusterId) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StartupException("cannot create Kafka data directory " + dir + ": " + describe(e), e);
        }
        if (!Files.isWritable(dir)) {
            throw new StartupException("Kafka data directory " + dir + " is not writable");
        }
        if (Files.exists(dir.resolve(META_PROPERTIES))) {
            requireNotLocked(dir);
            return; // formatted before: keep the data
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new StartupException("Kafka data directory " + dir
                        + " is not empty and holds no Kafka data (no " + META_PROPERTIES
                        + "); choose an empty or new directory");
            }
        } catch (IOException e) {
            throw new StartupException("cannot read Kafka data directory " + dir + ": " + describe(e), e);
        }
        // The directory, node id and quorum matter for formatting; the ports in this config are never bound here.
        KafkaConfig config = new KafkaConfig(nodeConfig, false);
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(config.nodeId())
                .setClusterId(clusterId)
                .setControllerListenerName(config.controllerListenerNames().get(0))
                .setMetadataLogDirectory(config.metadataLogDir());
        config.logDirs().forEach(formatter::addDirectory);
        try {
            formatter.run();
        } catch (Exception e) {
            throw new StartupException("cannot format Kafka data directory " + dir + ": " + describe(e), e);
        }
    }

    /**
     * Kafka holds a lock on {@code <dir>/.lock} while it runs. Checking first gives one clear error instead of
     * Kafka's own "Fatal error during broker startup" stack trace in the log.
     */
    private static void requireNotLocked(Path dir) {
        Path lockFile = dir.resolve(".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw inUse(dir, null);
            }
            lock.release();
        } catch (OverlappingFileLockException e) {
            throw inUse(dir, e); // held by a broker in this JVM
        } catch (IOException e) {
            throw new StartupException("cannot lock Kafka data directory " + dir + ": " + describe(e), e);
        }
    }

    private static StartupException inUse(Path dir, Throwable cause) {
        return new StartupException("Kafka data directory " + dir
                + " is in use by another broker (stop it or choose another directory)", cause);
    }

    private static KafkaRaftServer startServer(Properties props) {
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        try {
            server.startup();
            return server;
        } catch (RuntimeException e) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + HOST, e);
        }
    }

    private static int requireFreePort(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port), 1);
            return port;
        } catch (IOException e) {
            throw new StartupException("port " + port + " on " + HOST + " is already in use"
                    + " (is another broker running? pick another port)", e);
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && m.contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    private static RuntimeException translate(RuntimeException e, int port, Path dir) {
        if (e instanceof StartupException) {
            return e;
        }
        if (isBindFailure(e)) {
            return new StartupException("port " + port + " on " + HOST + " is already in use"
                    + " (is another broker running? pick another port)", e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.contains("Failed to acquire lock")) {
                return inUse(dir, e);
            }
        }
        return new StartupException("Kafka failed to start (data in " + dir + "): " + describe(e), e);
    }

    private static String describe(Throwable e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory: " + ((NoSuchFileException) e).getFile();
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file with that name exists: " + ((FileAlreadyExistsException) e).getFile();
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null || m.isBlank() ? root.getClass().getSimpleName() : m;
    }

    private static void deleteQuietly(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException | RuntimeException ignored) {
            // best effort: a temp dir left behind is harmless
        }
    }

    /** The broker could not start; the message says why in words a person can act on. */
    public static final class StartupException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public StartupException(String message) {
            super(message);
        }

        public StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
