package io.auditwatch.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.auditwatch.formats.CloudFormats;
import io.auditwatch.formats.CloudOrigin;
import io.auditwatch.formats.Unwrapped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one payload (an Event, an EventList, a JSON array of Events, or a cloud export of them: see
 * {@link CloudFormats}) into {@link AuditEvent}s.
 * Never throws on bad input: every part that cannot be used comes back as a {@link Rejection}.
 */
public final class AuditEventReader {
    /** etcd stores objects up to 1.5 MiB; an event carrying one as request and response stays under this. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 3 * 1024 * 1024;

    private static final ObjectMapper MAPPER = newMapper();
    /** Resolved once: readValue(bytes, Class) looks the type up again on every call. */
    private static final ObjectReader EVENTS = MAPPER.readerFor(AuditEvent.class);
    private static final CloudFormats CLOUD = new CloudFormats(MAPPER);

    /**
     * API servers keep their clocks within seconds of each other; a receive time further ahead of the reader's clock
     * than this is a wrong clock or a forgery, and is not allowed to move the detector's clock.
     */
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(10);

    private final int maxEventBytes;
    private final String defaultCluster;
    private final long maxClockSkewMillis;
    private final InstantSource clock;

    public AuditEventReader(int maxEventBytes, String defaultCluster) {
        this(maxEventBytes, defaultCluster, DEFAULT_MAX_CLOCK_SKEW, InstantSource.system());
    }

    /**
     * @param maxClockSkew how far ahead of {@code clock} an event's timestamp may be; an event further ahead is
     *                     timed at its arrival instead (its own timestamps are kept as they are), so that one bad
     *                     clock cannot expire every window and memory of the detector at once
     */
    public AuditEventReader(int maxEventBytes, String defaultCluster, Duration maxClockSkew, InstantSource clock) {
        this.maxEventBytes = maxEventBytes;
        this.defaultCluster = defaultCluster;
        this.maxClockSkewMillis = maxClockSkew.toMillis();
        this.clock = clock;
    }

    /** The mapper every module uses for audit events and alerts: strict about types, tolerant of new fields. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static ObjectMapper newMapper() {
        ObjectMapper mapper = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
        // "verb": 5 is a broken event, not the verb "5".
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /**
     * @param payload            the bytes of one record or one line
     * @param fallbackTimeMillis the time to use when an event carries no timestamp, or one too far in the future
     *                           (its arrival: ingestion time live, the latest event time read in a replay)
     */
    public ReadResult read(byte[] payload, long fallbackTimeMillis) {
        return read(payload, fallbackTimeMillis, null);
    }

    /**
     * @param recordCluster the cluster the record was stamped with at ingest, or null. An event's cluster is, in
     *                      order: the one it already carries (a re-read), the one its cloud export names, this
     *                      one, the reader's default.
     */
    public ReadResult read(byte[] payload, long fallbackTimeMillis, String recordCluster) {
        Batch batch = new Batch(fallbackTimeMillis, recordCluster);
        if (payload == null || isBlank(payload)) {
            batch.reject(Rejection.Reason.EMPTY, "empty record", payload == null ? new byte[0] : payload);
            return batch.result();
        }
        byte[] original = payload;
        try {
            payload = CLOUD.decode(payload);
        } catch (IOException e) {
            batch.reject(Rejection.Reason.NOT_JSON, "undecodable compressed payload: " + e.getMessage(), original);
            return batch.result();
        }
        if (payload.length > maxEventBytes && !looksLikeList(payload)) {
            batch.rejections.add(oversized(payload.length, original));
            return batch.result();
        }
        JsonNode items;
        try {
            if (payload[firstNonBlank(payload)] == '[') {
                items = MAPPER.readTree(payload);
            } else {
                AuditEvent event;
                try {
                    // Bind in one pass; an EventList's items land in "other" and are bound one by one below.
                    event = EVENTS.readValue(payload);
                } catch (MismatchedInputException e) {
                    // A cloud record may type a field differently from an Event (CloudWatch's numeric timestamp).
                    JsonNode tree = readTreeOrNull(payload);
                    if (tree == null || !CloudFormats.isWrapper(tree)) {
                        throw e;
                    }
                    readItem(tree, null, batch);
                    return batch.result();
                }
                if (event != null && event.kind == null && event.verb == null) {
                    JsonNode tree = MAPPER.readTree(payload);
                    if (CloudFormats.isWrapper(tree)) {
                        readItem(tree, null, batch);
                        return batch.result();
                    }
                }
                if (event == null || !"EventList".equals(event.kind)) {
                    // The head check above can be fooled (a client picks its Audit-ID): size-check single events.
                    if (payload.length > maxEventBytes) {
                        batch.rejections.add(oversized(payload.length, original));
                        return batch.result();
                    }
                    accept(event, original, null, batch);
                    return batch.result();
                }
                items = event.other().get("items");
                if (items == null || !items.isArray()) {
                    batch.reject(Rejection.Reason.NOT_AN_AUDIT_EVENT, "EventList without an items array", original);
                    return batch.result();
                }
            }
        } catch (IOException e) {
            batch.reject(classify(e), describe(e), original);
            return batch.result();
        }
        for (JsonNode item : items) {
            readItem(item, null, batch);
        }
        return batch.result();
    }

    /** One item of a list or a cloud export: unwrapped first when it is a cloud shape (never twice). */
    private void readItem(JsonNode item, CloudOrigin origin, Batch batch) {
        if (origin == null) {
            Optional<List<Unwrapped>> unwrapped = CLOUD.unwrap(item);
            if (unwrapped.isPresent()) {
                for (Unwrapped u : unwrapped.get()) {
                    if (u.isError()) {
                        batch.reject(Rejection.Reason.NOT_AN_AUDIT_EVENT, u.error(),
                                u.item().toString().getBytes(StandardCharsets.UTF_8));
                    } else {
                        readItem(u.event(), u.origin(), batch);
                    }
                }
                return;
            }
        }
        byte[] raw = item.toString().getBytes(StandardCharsets.UTF_8);
        if (raw.length > maxEventBytes) {
            batch.rejections.add(oversized(raw.length, raw));
            return;
        }
        try {
            accept(MAPPER.treeToValue(item, AuditEvent.class), raw, origin, batch);
        } catch (IOException e) {
            batch.reject(classify(e), describe(e), raw);
        }
    }

    private void accept(AuditEvent event, byte[] raw, CloudOrigin origin, Batch batch) {
        if (event == null) { // the JSON literal null binds to no event at all
            batch.reject(Rejection.Reason.NOT_AN_AUDIT_EVENT, "null: not an audit event", raw);
            return;
        }
        if (event.kind != null && !"Event".equals(event.kind)) {
            batch.reject(Rejection.Reason.NOT_AN_AUDIT_EVENT,
                    "kind is \"" + event.kind + "\", expected Event or EventList", raw);
            return;
        }
        if (event.verb == null || event.verb.isEmpty()) {
            batch.reject(Rejection.Reason.NOT_AN_AUDIT_EVENT, "no verb: not an audit event", raw);
            return;
        }
        Provenance known = event.provenance;
        boolean wasFallback = known != null && known.timestampFallback();
        long eventTime;
        // v1alpha1/v1beta1 "timestamp" is the receive time too; stageTimestamp differs from stage to stage.
        String time = firstPresent(event.requestReceivedTimestamp, event.timestamp, event.stageTimestamp);
        boolean fallback = time == null;
        if (wasFallback) {
            // Re-read after repartitioning: keep the time chosen at first read.
            eventTime = known.eventTime();
        } else if (time == null) {
            eventTime = batch.fallbackTimeMillis;
        } else {
            try {
                eventTime = Timestamps.toEpochMillis(time);
            } catch (DateTimeParseException e) {
                batch.reject(Rejection.Reason.WRONG_FIELD_TYPE, "unreadable timestamp \"" + time + "\"", raw);
                return;
            }
        }
        long now = clock.millis();
        if (eventTime > now + maxClockSkewMillis) {
            eventTime = Math.min(batch.fallbackTimeMillis, now);
            fallback = true;
        }
        String cluster = firstPresent(known == null ? null : known.cluster(), origin == null ? null : origin.cluster(),
                batch.recordCluster, defaultCluster);
        String source = origin != null ? origin.source() : known == null ? null : known.source();
        List<String> missing = origin != null ? origin.missing() : known == null ? null : known.missing();
        if (missing != null && missing.isEmpty()) {
            missing = null; // as it reads back: the JSON omits an empty list
        }
        event.provenance = new Provenance(cluster, eventTime, fallback || wasFallback, source, missing);
        batch.events.add(event);
    }

    /** What one payload yields, collected as it is read. */
    private static final class Batch {
        final long fallbackTimeMillis;
        final String recordCluster;
        final List<AuditEvent> events = new ArrayList<>(1);
        final List<Rejection> rejections = new ArrayList<>(0);

        Batch(long fallbackTimeMillis, String recordCluster) {
            this.fallbackTimeMillis = fallbackTimeMillis;
            this.recordCluster = recordCluster;
        }

        void reject(Rejection.Reason reason, String message, byte[] raw) {
            rejections.add(new Rejection(reason, message, raw));
        }

        ReadResult result() {
            return new ReadResult(events, rejections);
        }
    }

    private static JsonNode readTreeOrNull(byte[] payload) {
        try {
            return MAPPER.readTree(payload);
        } catch (IOException e) {
            return null;
        }
    }

    private Rejection oversized(int size, byte[] raw) {
        return new Rejection(Rejection.Reason.OVERSIZED,
                "event of " + size + " bytes exceeds the limit of " + maxEventBytes + " bytes", raw);
    }

    private static Rejection.Reason classify(IOException e) {
        // Jackson reports input that stops mid-object either as JsonEOFException or as "Unexpected end-of-input".
        if (e instanceof JsonEOFException || String.valueOf(e.getMessage()).contains("end-of-input")) {
            return Rejection.Reason.TRUNCATED_JSON;
        }
        if (e instanceof MismatchedInputException) {
            return Rejection.Reason.WRONG_FIELD_TYPE;
        }
        return Rejection.Reason.NOT_JSON;
    }

    /** A plain reason, with no Java type names: the analyst reads it, and it goes into DLQ headers. */
    private static String describe(IOException e) {
        if (e instanceof MismatchedInputException && String.valueOf(e.getMessage()).startsWith("Trailing token")) {
            return "more than one JSON value on one line";
        }
        if (e instanceof MismatchedInputException mie) {
            Matcher token = TOKEN.matcher(String.valueOf(e.getMessage()));
            Matcher coerced = COERCED.matcher(String.valueOf(e.getMessage()));
            String found = token.find() ? tokenName(JsonToken.valueOf(token.group(1)))
                    : coerced.find() ? coercedName(coerced.group(1)) : null;
            String expected = expectedName(mie.getTargetType());
            StringBuilder path = new StringBuilder();
            for (var ref : mie.getPath()) {
                path.append(ref.getFieldName() != null ? (path.length() > 0 ? "." : "") + ref.getFieldName()
                        : "[" + ref.getIndex() + "]");
            }
            String what = "expected " + expected + (found == null ? "" : ", found " + found);
            return path.length() == 0 ? what : "field " + path + ": " + what;
        }
        String message = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null && jpe.getLocation().getColumnNr() > 0) {
            // Jackson lists the JSON tokens it would have taken: noise to the analyst.
            String reason = firstLine(message).replaceFirst(":? ?\\(JSON String, Number.*$", "")
                    .replaceFirst(": was expecting.*$", "");
            return reason + " at column " + jpe.getLocation().getColumnNr();
        }
        return firstLine(message);
    }

    /** Jackson names the token it found only in its message: {@code (token `JsonToken.VALUE_NUMBER_INT`)}. */
    private static final Pattern TOKEN = Pattern.compile("token `JsonToken\\.([A-Z_]+)`");

    /** ... and a value refused by the coercion rules only as {@code Cannot coerce Integer value}. */
    private static final Pattern COERCED = Pattern.compile("Cannot coerce ([A-Za-z-]+) value");

    private static String coercedName(String shape) {
        return switch (shape) {
            case "Integer", "Floating-point", "Float" -> "a number";
            case "Boolean" -> "a boolean";
            default -> null;
        };
    }

    private static String expectedName(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == AuditEvent.class) {
            return "an audit event (a JSON object)";
        }
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type) || type == int.class || type == long.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static String tokenName(JsonToken token) {
        if (token == null) {
            return null;
        }
        return switch (token) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_STRING -> "a string";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_ARRAY, END_ARRAY -> "an array";
            case START_OBJECT, END_OBJECT, FIELD_NAME -> "an object";
            default -> null;
        };
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable input";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    private static String firstPresent(String... values) {
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }

    private static boolean looksLikeList(byte[] payload) {
        int i = firstNonBlank(payload);
        if (payload[i] == '[') {
            return true;
        }
        // Cheap check of the head only: a batch from the webhook backend is an EventList.
        String head = new String(payload, 0, Math.min(payload.length, 256), StandardCharsets.UTF_8);
        return head.contains("\"EventList\"");
    }

    private static int firstNonBlank(byte[] payload) {
        for (int i = 0; i < payload.length; i++) {
            if (!Character.isWhitespace(payload[i])) {
                return i;
            }
        }
        return 0;
    }

    private static boolean isBlank(byte[] payload) {
        for (byte b : payload) {
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }
}
