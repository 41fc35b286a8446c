package io.auditwatch.rules;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Whether a request came from the internet: an IPv4 source outside the private, loopback, link-local, CGNAT
 * and documentation-free ranges that clusters use internally. Only literals are read; nothing is resolved.
 */
final class SourceAddress {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private SourceAddress() {
    }

    static boolean anyPublic(List<String> sources) {
        if (sources == null) {
            return false;
        }
        for (String source : sources) {
            if (source != null && isPublic(source)) {
                return true;
            }
        }
        return false;
    }

    static boolean isPublic(String address) {
        var m = IPV4.matcher(address);
        if (!m.matches()) {
            // IPv6: public unless loopback, link-local (fe80::/10) or unique-local (fc00::/7).
            String a = address.toLowerCase(java.util.Locale.ROOT);
            return a.indexOf(':') >= 0 && !a.equals("::1") && !a.startsWith("fe8") && !a.startsWith("fe9")
                    && !a.startsWith("fea") && !a.startsWith("feb") && !a.startsWith("fc") && !a.startsWith("fd");
        }
        int a = Integer.parseInt(m.group(1));
        int b = Integer.parseInt(m.group(2));
        if (a > 255 || b > 255 || Integer.parseInt(m.group(3)) > 255 || Integer.parseInt(m.group(4)) > 255) {
            return false;
        }
        return !(a == 10 || a == 127 || a == 0
                || (a == 172 && b >= 16 && b <= 31)
                || (a == 192 && b == 168)
                || (a == 169 && b == 254)
                || (a == 100 && b >= 64 && b <= 127));
    }
}
