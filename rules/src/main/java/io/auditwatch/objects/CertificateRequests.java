package io.auditwatch.objects;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.event.AuditEvent;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * The subject a CertificateSigningRequest asks for, decoded from its PKCS#10 request ({@code spec.request}: the
 * base64 of a PEM block, as the API serialises bytes). The subject is what the certificate will authenticate as:
 * CN is the user, O the groups.
 */
public final class CertificateRequests {
    private CertificateRequests() {
    }

    /** The requested subject, or null when the event has no CSR or it does not decode. */
    public static Subject subject(AuditEvent event) {
        JsonNode object = WrittenObjects.object(event);
        if (object == null || !"certificatesigningrequests".equalsIgnoreCase(event.resource())) {
            return null;
        }
        JsonNode request = object.path("spec").path("request");
        if (!request.isTextual()) {
            return null;
        }
        X500Name name = decode(request.asText());
        if (name == null) {
            return null;
        }
        String requester = object.path("spec").path("username").asText(null);
        return new Subject(name.toString(), values(name, BCStyle.CN), values(name, BCStyle.O), requester);
    }

    private static X500Name decode(String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        try {
            if (text.contains("-----BEGIN")) {
                try (PEMParser parser = new PEMParser(new StringReader(text))) {
                    Object parsed = parser.readObject();
                    return parsed instanceof PKCS10CertificationRequest csr ? csr.getSubject() : null;
                }
            }
            return new PKCS10CertificationRequest(bytes).getSubject();
        } catch (IOException | RuntimeException e) {
            // Attacker-controlled bytes: anything that is not a well-formed request has no subject.
            return null;
        }
    }

    private static List<String> values(X500Name name, ASN1ObjectIdentifier type) {
        List<String> values = new ArrayList<>();
        for (RDN rdn : name.getRDNs(type)) {
            for (AttributeTypeAndValue pair : rdn.getTypesAndValues()) {
                if (pair.getType().equals(type)) {
                    ASN1Encodable value = pair.getValue();
                    values.add(value instanceof ASN1String string ? string.getString() : IETFUtils.valueToString(value));
                }
            }
        }
        return values;
    }

    /**
     * @param distinguishedName the whole subject, RFC 4514 style
     * @param commonNames       CN values: the user the certificate authenticates as
     * @param organizations     O values: its groups
     * @param requester         the user who created the CSR ({@code spec.username}), or null
     */
    public record Subject(String distinguishedName, List<String> commonNames, List<String> organizations,
                          String requester) {
        /** True when the certificate would authenticate as the user who asked for it (a kubelet renewing its own). */
        public boolean forRequester() {
            return requester != null && commonNames.size() == 1 && commonNames.get(0).equals(requester);
        }
    }
}
