package io.auditwatch.language;

import java.util.List;

/**
 * Whether a request came from the internet: an IPv4 source outside the private, loopback, link-local, CGNAT
 * and documentation-free ranges that clusters use internally. Only literals are read; nothing is resolved.
 */
final class SourceAddress {
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
        int[] octets = ipv4(address);
        if (octets == null) {
            // IPv6: public unless loopback, link-local (fe80::/10) or unique-local (fc00::/7).
            String a = address.toLowerCase(java.util.Locale.ROOT);
            return a.indexOf(':') >= 0 && !a.equals("::1") && !a.startsWith("fe8") && !a.startsWith("fe9")
                    && !a.startsWith("fea") && !a.startsWith("feb") && !a.startsWith("fc") && !a.startsWith("fd");
        }
        int a = octets[0];
        int b = octets[1];
        if (a > 255 || b > 255 || octets[2] > 255 || octets[3] > 255) {
            return false;
        }
        return !(a == 10 || a == 127 || a == 0
                || (a == 172 && b >= 16 && b <= 31)
                || (a == 192 && b == 168)
                || (a == 169 && b == 254)
                || (a == 100 && b >= 64 && b <= 127));
    }

    /**
     * The four numbers of a dotted quad of one to three digits each (not checked against 255), or null: a regular
     * expression would do, at several times the cost on every request of every kube-system service account.
     */
    static int[] ipv4(String address) {
        int[] octets = new int[4];
        int part = 0;
        int digits = 0;
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c >= '0' && c <= '9' && digits < 3) {
                octets[part] = octets[part] * 10 + (c - '0');
                digits++;
            } else if (c == '.' && digits > 0 && part < 3) {
                part++;
                digits = 0;
            } else {
                return null;
            }
        }
        return part == 3 && digits > 0 ? octets : null;
    }
}
