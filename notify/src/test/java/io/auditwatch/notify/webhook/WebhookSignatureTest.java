package io.auditwatch.notify.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldMatchRfc4231TestCase2() {
        assertEquals("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                WebhookSignature.sign(b("Jefe"), b("what do ya want for nothing?")));
    }

    @Test
    void shouldVerifyOnlyTheSignedBodyUnderTheSameKey() {
        String header = WebhookSignature.sign(b("k"), b("{\"id\":\"a\"}"));
        assertTrue(WebhookSignature.verify(b("k"), b("{\"id\":\"a\"}"), header));
        assertFalse(WebhookSignature.verify(b("k"), b("{\"id\":\"b\"}"), header));
        assertFalse(WebhookSignature.verify(b("other"), b("{\"id\":\"a\"}"), header));
        assertFalse(WebhookSignature.verify(b("k"), b("{\"id\":\"a\"}"), null));
    }
}
