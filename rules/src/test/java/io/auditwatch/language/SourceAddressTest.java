package io.auditwatch.language;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SourceAddressTest {
    @Test
    void shouldReadDottedQuadsAsTheRegularExpressionWould() {
        Pattern quad = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
        for (String address : List.of("10.0.0.1", "203.0.113.45", "999.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3",
                ".1.2.3", "1.2.3.", "1234.1.1.1", "01.002.3.4", "1.2.3.4 ", "a.b.c.d", "", "::1", "1.2.3.\u0664")) {
            Matcher m = quad.matcher(address);
            int[] octets = SourceAddress.ipv4(address);
            if (m.matches()) {
                for (int i = 0; i < 4; i++) {
                    assertEquals(Integer.parseInt(m.group(i + 1)), octets[i], address);
                }
            } else {
                assertNull(octets, address);
            }
        }
    }

    @Test
    void shouldTellPublicFromInternalAddresses() {
        assertTrue(SourceAddress.isPublic("203.0.113.45"));
        assertTrue(SourceAddress.isPublic("2001:db8::1"));
        assertFalse(SourceAddress.isPublic("10.1.0.48"));
        assertFalse(SourceAddress.isPublic("172.16.0.1"));
        assertFalse(SourceAddress.isPublic("100.64.0.1"));
        assertFalse(SourceAddress.isPublic("300.1.1.1"));
        assertFalse(SourceAddress.isPublic("fd00::1"));
        assertFalse(SourceAddress.isPublic("localhost"));
    }
}
