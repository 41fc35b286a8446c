package io.auditwatch.language;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.ObjectRef;
import io.auditwatch.event.ResponseStatus;
import io.auditwatch.identity.UserInfo;
import io.auditwatch.objects.CertificateRequests;
import io.auditwatch.objects.Workload;
import io.auditwatch.objects.WrittenObjects;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A field path of a rule compiled once into an accessor of the typed event: {@code verb},
 * {@code objectRef.resource}, {@code requestObject.spec.containers[*].securityContext.privileged}, or a derived
 * {@code auditwatch.*} field. Arrays are searched anywhere along a path ({@code [*]} may be written, as Sigma
 * and Falco authors do, and means the same); a value matches if any element does. Keys that contain dots
 * ({@code annotations.authorization.k8s.io/decision}) are found by joining the remaining path.
 */
public interface EventField {
    /** True if {@code test} holds for any value at this path; values are their JSON text. */
    boolean any(AuditEvent event, Predicate<String> test);

    /** True if the path holds a non-null value (an object counts). */
    boolean exists(AuditEvent event);

    /**
     * Fields of SigmaHQ's Kubernetes rules that audit events do not have: the pod spec's hostPath volumes and
     * added capabilities, a bare apiGroup, and the file an exec runs. Documented in docs/rules.md.
     */
    Map<String, List<String>> SIGMA_FIELD_MAPPING = Map.of(
            "apiGroup", List.of("objectRef.apiGroup"),
            "file_path", List.of("auditwatch.exec.command"),
            "hostPath", List.of("auditwatch.podSpec.volumes[*].hostPath.path"),
            "capabilities", List.of(
                    "auditwatch.podSpec.containers[*].securityContext.capabilities.add",
                    "auditwatch.podSpec.initContainers[*].securityContext.capabilities.add",
                    "auditwatch.podSpec.ephemeralContainers[*].securityContext.capabilities.add"));

    /** Derived fields, computed by the engine from the event. */
    List<String> DERIVED = List.of("auditwatch.allowed", "auditwatch.denied", "auditwatch.identity.kind", "auditwatch.identity.human",
            "auditwatch.identity.anonymous", "auditwatch.identity.controlplane", "auditwatch.identity.node",
            "auditwatch.identity.nodebound", "auditwatch.identity.pod", "auditwatch.identity.serviceaccount.namespace",
            "auditwatch.identity.serviceaccount.name", "auditwatch.cluster", "auditwatch.sources",
            "auditwatch.path", "auditwatch.source.public", "auditwatch.exec.command", "auditwatch.object.*",
            "auditwatch.podSpec.*", "auditwatch.images", "auditwatch.commands", "auditwatch.workload.resource",
            "auditwatch.workload.namespace", "auditwatch.workload.name", "auditwatch.workload.owner",
            "auditwatch.csr.subject", "auditwatch.csr.commonName", "auditwatch.csr.organization",
            "auditwatch.csr.forRequester", "auditwatch.crossNamespace");

    /** Compiles {@code path}; throws IllegalArgumentException naming what is wrong. */
    static EventField of(String path) {
        List<String> mapped = SIGMA_FIELD_MAPPING.get(path);
        if (mapped != null) {
            List<EventField> parts = mapped.stream().map(EventField::of).toList();
            return new EventField() {
                @Override
                public boolean any(AuditEvent event, Predicate<String> test) {
                    for (EventField part : parts) {
                        if (part.any(event, test)) {
                            return true;
                        }
                    }
                    return false;
                }

                @Override
                public boolean exists(AuditEvent event) {
                    for (EventField part : parts) {
                        if (part.exists(event)) {
                            return true;
                        }
                    }
                    return false;
                }
            };
        }
        String[] segments = Arrays.stream(path.replace("[*]", "").split("\\.", -1)).toArray(String[]::new);
        if (path.isEmpty() || Arrays.stream(segments).anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("empty part in field path '" + path + "'");
        }
        String[] rest = Arrays.copyOfRange(segments, 1, segments.length);
        String joinedRest = String.join(".", rest);
        switch (segments[0]) {
            case "kind": return text(path, rest, e -> e.kind);
            case "apiVersion": return text(path, rest, e -> e.apiVersion);
            case "level": return text(path, rest, e -> e.level);
            case "auditID": return text(path, rest, e -> e.auditID);
            case "stage": return text(path, rest, e -> e.stage);
            case "requestURI": return text(path, rest, e -> e.requestURI);
            case "verb": return text(path, rest, e -> e.verb);
            case "userAgent": return text(path, rest, e -> e.userAgent);
            case "requestReceivedTimestamp": return text(path, rest, e -> e.requestReceivedTimestamp);
            case "stageTimestamp": return text(path, rest, e -> e.stageTimestamp);
            case "timestamp": return text(path, rest, e -> e.timestamp);
            case "sourceIPs": return texts(path, rest, e -> e.sourceIPs);
            case "user": return user(path, joinedRest, e -> e.user);
            case "impersonatedUser": return user(path, joinedRest, e -> e.impersonatedUser);
            case "objectRef": return objectRef(path, joinedRest);
            case "responseStatus": return responseStatus(path, rest, joinedRest);
            case "annotations":
                if (rest.length == 0) {
                    throw new IllegalArgumentException("'annotations' needs a key, e.g. annotations.authorization.k8s.io/decision");
                }
                return text(path, new String[0], e -> e.annotation(joinedRest));
            case "requestObject": return json(rest, e -> e.requestObject);
            case "responseObject": return json(rest, e -> e.responseObject);
            case "auditwatch": return derived(path);
            default:
                throw new IllegalArgumentException("unknown field '" + path + "' (audit event fields: verb,"
                        + " objectRef.*, user.*, requestObject.*, responseStatus.code, annotations.*, ...;"
                        + " derived: " + String.join(", ", DERIVED) + ")");
        }
    }

    private static EventField derived(String path) {
        // Paths into what a write leaves: the object, and the pod spec it will run (see WrittenObjects).
        if (path.equals("auditwatch.object") || path.startsWith("auditwatch.object.")) {
            return json(rest(path, "auditwatch.object"), WrittenObjects::object);
        }
        if (path.equals("auditwatch.podSpec") || path.startsWith("auditwatch.podSpec.")) {
            return json(rest(path, "auditwatch.podSpec"), WrittenObjects::podSpec);
        }
        switch (path) {
            case "auditwatch.allowed": return text(path, new String[0], e -> String.valueOf(e.allowed()));
            case "auditwatch.denied": return text(path, new String[0], e -> String.valueOf(denied(e)));
            case "auditwatch.identity.kind": return text(path, new String[0], e -> e.identity().kind().json());
            case "auditwatch.identity.human": return text(path, new String[0], e -> String.valueOf(e.identity().isHuman()));
            case "auditwatch.identity.anonymous":
                return text(path, new String[0], e -> String.valueOf(e.identity().isAnonymous()));
            case "auditwatch.identity.controlplane":
                return text(path, new String[0], e -> String.valueOf(e.identity().isControlPlane()));
            case "auditwatch.identity.node": return text(path, new String[0], e -> e.identity().node());
            case "auditwatch.identity.nodebound":
                return text(path, new String[0], e -> String.valueOf(e.identity().isNodeBound()));
            case "auditwatch.identity.pod": return text(path, new String[0], e -> e.identity().pod());
            case "auditwatch.identity.serviceaccount.namespace":
                return text(path, new String[0], e -> e.identity().serviceAccountNamespace());
            case "auditwatch.identity.serviceaccount.name":
                return text(path, new String[0], e -> e.identity().serviceAccountName());
            case "auditwatch.cluster": return text(path, new String[0], AuditEvent::cluster);
            case "auditwatch.sources": return text(path, new String[0], AuditEvent::sources);
            case "auditwatch.path": return text(path, new String[0], e -> {
                if (e.requestURI == null) {
                    return null;
                }
                int query = e.requestURI.indexOf('?');
                return query < 0 ? e.requestURI : e.requestURI.substring(0, query);
            });
            case "auditwatch.source.public":
                return text(path, new String[0], e -> String.valueOf(SourceAddress.anyPublic(e.sourceIPs)));
            case "auditwatch.exec.command": return text(path, new String[0], ExecCommand::of);
            case "auditwatch.images": return texts(path, new String[0], WrittenObjects::imageRepositories);
            case "auditwatch.commands": return texts(path, new String[0], WrittenObjects::commandLines);
            case "auditwatch.workload.resource": return workload(path, Workload::resource);
            case "auditwatch.workload.namespace": return workload(path, Workload::namespace);
            case "auditwatch.workload.name": return workload(path, Workload::name);
            case "auditwatch.workload.owner": return text(path, new String[0], WrittenObjects::owner);
            case "auditwatch.csr.subject": return csr(path, s -> List.of(s.distinguishedName()));
            case "auditwatch.csr.commonName": return csr(path, CertificateRequests.Subject::commonNames);
            case "auditwatch.csr.organization": return csr(path, CertificateRequests.Subject::organizations);
            case "auditwatch.csr.forRequester": return csr(path, s -> List.of(String.valueOf(s.forRequester())));
            case "auditwatch.crossNamespace": return text(path, new String[0], e -> crossNamespace(e));
            default:
                throw new IllegalArgumentException("unknown derived field '" + path + "' (known: "
                        + String.join(", ", DERIVED) + ")");
        }
    }

    private static String[] rest(String path, String prefix) {
        return path.length() == prefix.length() ? new String[0]
                : Arrays.stream(path.substring(prefix.length() + 1).replace("[*]", "").split("\\.", -1)).toArray(String[]::new);
    }

    private static EventField workload(String path, Function<Workload, String> part) {
        return text(path, new String[0], e -> {
            Workload workload = WrittenObjects.workload(e);
            return workload == null ? null : part.apply(workload);
        });
    }

    private static EventField csr(String path, Function<CertificateRequests.Subject, List<String>> part) {
        return texts(path, new String[0], e -> {
            CertificateRequests.Subject subject = CertificateRequests.subject(e);
            return subject == null ? null : part.apply(subject);
        });
    }

    /**
     * For a service account's request: "true" when it reaches beyond the account's own namespace (another
     * namespace, or all of them), "false" within it; null for other identities and requests without objectRef.
     */
    static String crossNamespace(AuditEvent e) {
        String own = e.identity().serviceAccountNamespace();
        if (!e.identity().isServiceAccount() || own == null || e.objectRef == null) {
            return null;
        }
        String namespace = e.namespace();
        return String.valueOf(namespace == null || namespace.isEmpty() || !namespace.equals(own));
    }

    /**
     * Refused by the authorizer or the authenticator. Not the negation of allowed: a RequestReceived stage has
     * neither a decision nor a response yet, and a 404 or 409 was allowed but failed.
     */
    static boolean denied(AuditEvent e) {
        String decision = e.annotation(AuditEvent.DECISION_ANNOTATION);
        if ("forbid".equals(decision)) {
            return true;
        }
        Integer code = e.responseCode();
        return code != null && (code == 401 || code == 403);
    }

    private static EventField user(String path, String rest, Function<AuditEvent, UserInfo> user) {
        if (rest.equals("username")) {
            return text(path, new String[0], e -> user.apply(e) == null ? null : user.apply(e).username());
        }
        if (rest.equals("uid")) {
            return text(path, new String[0], e -> user.apply(e) == null ? null : user.apply(e).uid());
        }
        if (rest.equals("groups")) {
            return texts(path, new String[0], e -> user.apply(e) == null ? null : user.apply(e).groups());
        }
        if (rest.startsWith("extra.")) {
            String claim = rest.substring("extra.".length());
            return texts(path, new String[0], e -> {
                UserInfo u = user.apply(e);
                return u == null || u.extra() == null ? null : u.extra().get(claim);
            });
        }
        throw new IllegalArgumentException("unknown field '" + path + "' (user fields: username, uid, groups, extra.<claim>)");
    }

    private static EventField objectRef(String path, String rest) {
        Function<ObjectRef, String> part = switch (rest) {
            case "resource" -> ObjectRef::resource;
            case "namespace" -> ObjectRef::namespace;
            case "name" -> ObjectRef::name;
            case "uid" -> ObjectRef::uid;
            case "apiGroup" -> ObjectRef::apiGroup;
            case "apiVersion" -> ObjectRef::apiVersion;
            case "resourceVersion" -> ObjectRef::resourceVersion;
            case "subresource" -> ObjectRef::subresource;
            default -> throw new IllegalArgumentException("unknown field '" + path + "' (objectRef fields: resource,"
                    + " namespace, name, uid, apiGroup, apiVersion, resourceVersion, subresource)");
        };
        return text(path, new String[0], e -> e.objectRef == null ? null : part.apply(e.objectRef));
    }

    private static EventField responseStatus(String path, String[] rest, String joinedRest) {
        Function<ResponseStatus, String> part = switch (joinedRest) {
            case "code" -> s -> s.code() == null ? null : s.code().toString();
            case "status" -> ResponseStatus::status;
            case "reason" -> ResponseStatus::reason;
            case "message" -> ResponseStatus::message;
            default -> throw new IllegalArgumentException("unknown field '" + path
                    + "' (responseStatus fields: code, status, reason, message)");
        };
        return text(path, new String[0], e -> e.responseStatus == null ? null : part.apply(e.responseStatus));
    }

    private static EventField text(String path, String[] rest, Function<AuditEvent, String> get) {
        if (rest.length > 0) {
            throw new IllegalArgumentException("'" + path + "': the field before '" + rest[0] + "' has no parts");
        }
        return new EventField() {
            @Override
            public boolean any(AuditEvent event, Predicate<String> test) {
                String value = get.apply(event);
                return value != null && test.test(value);
            }

            @Override
            public boolean exists(AuditEvent event) {
                return get.apply(event) != null;
            }
        };
    }

    private static EventField texts(String path, String[] rest, Function<AuditEvent, List<String>> get) {
        if (rest.length > 0) {
            throw new IllegalArgumentException("'" + path + "': the field before '" + rest[0] + "' has no parts");
        }
        return new EventField() {
            @Override
            public boolean any(AuditEvent event, Predicate<String> test) {
                List<String> values = get.apply(event);
                if (values != null) {
                    for (String value : values) {
                        if (value != null && test.test(value)) {
                            return true;
                        }
                    }
                }
                return false;
            }

            @Override
            public boolean exists(AuditEvent event) {
                List<String> values = get.apply(event);
                return values != null && !values.isEmpty();
            }
        };
    }

    private static EventField json(String[] segments, Function<AuditEvent, JsonNode> root) {
        return new EventField() {
            @Override
            public boolean any(AuditEvent event, Predicate<String> test) {
                // An object or array at the end of a path is matched as its JSON text, like Falco's ".obj" fields.
                return walk(root.apply(event), segments, 0, n -> !n.isNull()
                        && test.test(n.isValueNode() ? n.asText() : n.toString()));
            }

            @Override
            public boolean exists(AuditEvent event) {
                return walk(root.apply(event), segments, 0, n -> !n.isNull());
            }
        };
    }

    private static boolean walk(JsonNode node, String[] segments, int at, Predicate<JsonNode> leaf) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return false;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (walk(element, segments, at, leaf)) {
                    return true;
                }
            }
            return false;
        }
        if (at == segments.length) {
            return leaf.test(node);
        }
        if (!node.isObject()) {
            return false;
        }
        JsonNode child = node.get(segments[at]);
        if (child != null) {
            return walk(child, segments, at + 1, leaf);
        }
        // A key with dots in it (labels, annotations): try the longer keys the remaining parts can form.
        StringBuilder key = new StringBuilder(segments[at]);
        for (int end = at + 1; end < segments.length; end++) {
            key.append('.').append(segments[end]);
            JsonNode dotted = node.get(key.toString());
            if (dotted != null) {
                return walk(dotted, segments, end + 1, leaf);
            }
        }
        return false;
    }

    /** Every value at this path, for templates and group-by keys. */
    static List<String> values(EventField field, AuditEvent event) {
        List<String> values = new ArrayList<>(1);
        field.any(event, v -> {
            values.add(v);
            return false;
        });
        return values;
    }
}
