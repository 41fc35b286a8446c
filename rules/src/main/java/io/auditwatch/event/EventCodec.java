package io.auditwatch.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.auditwatch.identity.UserInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An event in a compact binary form, for the hops between the detector's sub-topologies: every typed field in a
 * fixed order, each string as its length and its characters, so reading an event back copies each field instead
 * of parsing JSON (the parse after the repartition was a fifth of the stream thread). The JSON subtrees (request
 * and response objects, fields the model does not type) travel as CBOR, Jackson's binary form of them.
 *
 * <p>Layout: {@link #FORMAT}, then the provenance, then the fields in declaration order. A list or map is a varint
 * of its size + 1 (0: null), then its items; a string a varint header (0: null), then its characters; a record or
 * number starts with a presence byte, a subtree with a tag. Adding a field to the model means
 * adding it here, at the end of the layout; {@code EventCodecTest} fails until it is.
 */
public final class EventCodec {
    /** First byte of the layout; the detector's other formats start with 0x01, '{' or a CBOR map. */
    public static final byte FORMAT = 0x02;
    private static final ObjectMapper CBOR = AuditEventReader.mapper().copyWith(new CBORFactory());
    /** A JSON subtree's first byte: absent (Java null), JSON null, or CBOR bytes follow. */
    private static final byte TREE_ABSENT = 0;
    private static final byte TREE_NULL = 1;
    private static final byte TREE_CBOR = 2;

    private EventCodec() {
    }

    public static byte[] encode(AuditEvent event) {
        Writer w = new Writer();
        w.bytes[w.size++] = FORMAT;
        Provenance p = event.provenance;
        w.present(p != null);
        if (p != null) {
            w.string(p.cluster());
            w.fixedLong(p.eventTime());
            w.present(p.timestampFallback());
            w.string(p.source());
            w.strings(p.missing());
        }
        w.string(event.kind);
        w.string(event.apiVersion);
        w.string(event.level);
        w.string(event.auditID);
        w.string(event.stage);
        w.string(event.requestURI);
        w.string(event.verb);
        w.user(event.user);
        w.user(event.impersonatedUser);
        w.strings(event.sourceIPs);
        w.string(event.userAgent);
        ObjectRef ref = event.objectRef;
        w.present(ref != null);
        if (ref != null) {
            w.string(ref.resource());
            w.string(ref.namespace());
            w.string(ref.name());
            w.string(ref.uid());
            w.string(ref.apiGroup());
            w.string(ref.apiVersion());
            w.string(ref.resourceVersion());
            w.string(ref.subresource());
        }
        ResponseStatus status = event.responseStatus;
        w.present(status != null);
        if (status != null) {
            w.present(status.code() != null);
            if (status.code() != null) {
                w.fixedLong(status.code());
            }
            w.string(status.status());
            w.string(status.reason());
            w.string(status.message());
        }
        w.tree(event.requestObject);
        w.tree(event.responseObject);
        w.string(event.requestReceivedTimestamp);
        w.string(event.stageTimestamp);
        w.string(event.timestamp);
        Map<String, String> annotations = event.annotations;
        w.length(annotations == null ? -1 : annotations.size());
        if (annotations != null) {
            annotations.forEach((k, v) -> {
                w.string(k);
                w.string(v);
            });
        }
        w.length(event.other().size());
        event.other().forEach((k, v) -> {
            w.string(k);
            w.tree(v);
        });
        return Arrays.copyOf(w.bytes, w.size);
    }

    /** The event {@link #encode} wrote; IllegalArgumentException if the bytes are not such an event. */
    public static AuditEvent decode(byte[] bytes) {
        if (bytes.length == 0 || bytes[0] != FORMAT) {
            throw new IllegalArgumentException("not an event in auditwatch's binary form");
        }
        try {
            Reader r = new Reader(bytes);
            AuditEvent e = new AuditEvent();
            if (r.present()) {
                e.provenance = new Provenance(r.string(), r.fixedLong(), r.present(), r.string(), r.strings());
            }
            e.kind = r.string();
            e.apiVersion = r.string();
            e.level = r.string();
            e.auditID = r.string();
            e.stage = r.string();
            e.requestURI = r.string();
            e.verb = r.string();
            e.user = r.user();
            e.impersonatedUser = r.user();
            e.sourceIPs = r.strings();
            e.userAgent = r.string();
            if (r.present()) {
                e.objectRef = new ObjectRef(r.string(), r.string(), r.string(), r.string(), r.string(), r.string(),
                        r.string(), r.string());
            }
            if (r.present()) {
                Integer code = r.present() ? Math.toIntExact(r.fixedLong()) : null;
                e.responseStatus = new ResponseStatus(code, r.string(), r.string(), r.string());
            }
            e.requestObject = r.tree();
            e.responseObject = r.tree();
            e.requestReceivedTimestamp = r.string();
            e.stageTimestamp = r.string();
            e.timestamp = r.string();
            int annotations = r.length();
            if (annotations >= 0) {
                e.annotations = new LinkedHashMap<>();
                for (int i = 0; i < annotations; i++) {
                    e.annotations.put(r.string(), r.string());
                }
            }
            int other = r.length();
            for (int i = 0; i < other; i++) {
                e.putOther(r.string(), r.tree());
            }
            if (r.pos != bytes.length) {
                throw new IllegalArgumentException((bytes.length - r.pos) + " bytes after the event");
            }
            return e;
        } catch (IOException | RuntimeException e) {
            throw e instanceof IllegalArgumentException iae ? iae
                    : new IllegalArgumentException("malformed event in auditwatch's binary form: " + e, e);
        }
    }

    private static final class Writer {
        private byte[] bytes = new byte[1024];
        private int size;

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        void present(boolean present) {
            tag((byte) (present ? 1 : 0));
        }

        void tag(byte tag) {
            ensure(1);
            bytes[size++] = tag;
        }

        /** A varint of {@code length + 1}: 0 stands for null. */
        void length(int length) {
            ensure(5);
            int v = length + 1;
            while ((v & ~0x7F) != 0) {
                bytes[size++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            bytes[size++] = (byte) v;
        }

        void fixedLong(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                bytes[size++] = (byte) (v >>> shift);
            }
        }

        /**
         * A varint header, then the characters: {@code 2n + 1} and n bytes if every character is ASCII (nearly
         * every field), else {@code 2n + 2} and n UTF-16 units, which keeps any string exactly, unpaired surrogates
         * included (UTF-8 would replace them).
         */
        void string(String s) {
            if (s == null) {
                length(-1);
                return;
            }
            int n = s.length();
            int start = size;
            header(2L * n + 1);
            ensure(n);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    size = start;
                    header(2L * n + 2);
                    ensure(2 * n);
                    for (int j = 0; j < n; j++) {
                        char u = s.charAt(j);
                        bytes[size++] = (byte) (u >>> 8);
                        bytes[size++] = (byte) u;
                    }
                    return;
                }
                bytes[size++] = (byte) c;
            }
        }

        private void header(long value) {
            if (value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("a string of " + value / 2 + " characters");
            }
            length((int) value - 1);
        }

        void raw(byte[] value) {
            length(value.length);
            ensure(value.length);
            System.arraycopy(value, 0, bytes, size, value.length);
            size += value.length;
        }

        void strings(List<String> values) {
            length(values == null ? -1 : values.size());
            if (values != null) {
                values.forEach(this::string);
            }
        }

        void user(UserInfo user) {
            present(user != null);
            if (user != null) {
                string(user.username());
                string(user.uid());
                strings(user.groups());
                Map<String, List<String>> extra = user.extra();
                length(extra == null ? -1 : extra.size());
                if (extra != null) {
                    extra.forEach((k, v) -> {
                        string(k);
                        strings(v);
                    });
                }
            }
        }

        void tree(JsonNode node) {
            if (node == null) {
                tag(TREE_ABSENT);
            } else if (node.isNull()) {
                tag(TREE_NULL);
            } else {
                tag(TREE_CBOR);
                try {
                    raw(CBOR.writeValueAsBytes(node));
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot encode " + node.getNodeType(), e);
                }
            }
        }
    }

    private static final class Reader {
        private final byte[] bytes;
        private int pos = 1;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        boolean present() {
            return bytes[pos++] != 0;
        }

        int length() {
            int v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                byte b = bytes[pos++];
                v |= (b & 0x7F) << shift;
                if (b >= 0) {
                    return v - 1;
                }
            }
            throw new IllegalArgumentException("length longer than 5 bytes at " + pos);
        }

        long fixedLong() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (bytes[pos++] & 0xFF);
            }
            return v;
        }

        String string() {
            int header = length() + 1;
            if (header == 0) {
                return null;
            }
            if (header < 0) {
                throw new IllegalArgumentException("string header out of range at " + pos);
            }
            int n = (header - 1) >>> 1;
            boolean ascii = (header & 1) == 1;
            int bytesLength = ascii ? n : 2 * n;
            if (bytesLength < 0 || bytesLength > bytes.length - pos) {
                throw new IllegalArgumentException("string of " + n + " characters past the end at " + pos);
            }
            if (ascii) {
                String s = new String(bytes, pos, n, StandardCharsets.ISO_8859_1);
                pos += n;
                return s;
            }
            // By hand: a charset decoder would replace an unpaired surrogate.
            char[] units = new char[n];
            for (int i = 0; i < n; i++) {
                units[i] = (char) ((bytes[pos] & 0xFF) << 8 | bytes[pos + 1] & 0xFF);
                pos += 2;
            }
            return new String(units);
        }

        List<String> strings() {
            int n = length();
            if (n < 0) {
                return null;
            }
            List<String> values = new ArrayList<>(Math.min(n, bytes.length));
            for (int i = 0; i < n; i++) {
                values.add(string());
            }
            return values;
        }

        UserInfo user() {
            if (!present()) {
                return null;
            }
            String username = string();
            String uid = string();
            List<String> groups = strings();
            int n = length();
            Map<String, List<String>> extra = null;
            if (n >= 0) {
                extra = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    extra.put(string(), strings());
                }
            }
            return new UserInfo(username, uid, groups, extra);
        }

        JsonNode tree() throws IOException {
            byte tag = bytes[pos++];
            if (tag == TREE_ABSENT) {
                return null;
            }
            if (tag == TREE_NULL) {
                return NullNode.getInstance();
            }
            if (tag != TREE_CBOR) {
                throw new IllegalArgumentException("unknown tree tag " + tag + " at " + pos);
            }
            int n = length();
            if (n < 0 || n > bytes.length - pos) {
                throw new IllegalArgumentException("tree of " + n + " bytes past the end at " + pos);
            }
            JsonNode node = CBOR.readTree(bytes, pos, n);
            pos += n;
            return node;
        }
    }
}
