package io.auditwatch.nodegraph;

import static io.auditwatch.testing.EventJson.kubelet;
import static io.auditwatch.testing.EventJson.podToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.identity.Identity;
import io.auditwatch.identity.IdentityKind;
import org.junit.jupiter.api.Test;

class PendingAccessTest {
    private static final String JSON = "{\"kind\":\"Event\"}";

    private static AuditEvent unused(String json) {
        return fail("the event was parsed: " + json);
    }

    private static AuditEvent parse(String json) {
        try {
            return AuditEventReader.mapper().readValue(json, AuditEvent.class);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldReadBackWhatItStoredWithoutParsingTheEvent() {
        PendingAccess access = PendingAccess.of(
                podToken("monitoring", "log-agent", "log-agent-x7", "ip-10-0-1-17.ec2.internal")
                        .objectRef("pods", "shop", "web-1", "exec").parse(), JSON);

        assertEquals(access, PendingAccess.decode(access.encode(), PendingAccessTest::unused));
    }

    @Test
    void shouldKeepFieldsThatLookLikeItsOwnFramingAndFieldsThatAreMissing() {
        // Names come from requests: any character may occur, and a pod's target has no uid unless the request says.
        PendingAccess access = new PendingAccess("shop", new Target("secret", "-12:a|b:", null),
                new Identity(IdentityKind.NODE, "system:node:n-1", "n-1", null, null, null, "", null, null), "-" + JSON);

        assertEquals(access, PendingAccess.decode(access.encode(), PendingAccessTest::unused));
    }

    @Test
    void shouldReadAnAccessQueuedAsTheEventAloneByAnEarlierVersion() {
        String queued = kubelet("ip-10-0-1-17.ec2.internal").objectRef("secrets", "shop", "db-credentials", null).json();

        assertEquals(PendingAccess.of(parse(queued), queued), PendingAccess.decode(queued, PendingAccessTest::parse));
    }
}
