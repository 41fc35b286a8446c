package io.auditwatch.ingest;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away CA with server and client certificates, made at test time (no key is ever committed); PEM files
 * as kube tooling writes them.
 */
public final class TestPki {
    final Path dir;
    final KeyPair caKey;
    final X509Certificate ca;

    public TestPki(Path dir) throws Exception {
        this.dir = dir;
        this.caKey = keyPair();
        this.ca = sign("CN=auditwatch test CA", caKey, "CN=auditwatch test CA", caKey, true, false);
        write(dir.resolve("ca.crt"), ca);
    }

    /** Writes {@code name}.crt and {@code name}.key for 127.0.0.1/localhost, signed by the CA. */
    public Path[] server(String name) throws Exception {
        KeyPair key = keyPair();
        X509Certificate cert = sign("CN=" + name, key, "CN=auditwatch test CA", caKey, false, true);
        write(dir.resolve(name + ".crt"), cert);
        write(dir.resolve(name + ".key"), new JcaPKCS8Generator(key.getPrivate(), null)); // BEGIN PRIVATE KEY
        return new Path[] {dir.resolve(name + ".crt"), dir.resolve(name + ".key")};
    }

    /** A client TLS context presenting a certificate with {@code commonName} (null: none) and trusting the CA. */
    public SSLContext client(String commonName) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (commonName != null) {
            KeyPair key = keyPair();
            X509Certificate cert = sign("CN=" + commonName, key, "CN=auditwatch test CA", caKey, false, false);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", key.getPrivate(), new char[0], new X509Certificate[] {cert, ca});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(String subject, KeyPair key, String issuer, KeyPair issuerKey, boolean isCa,
                                        boolean serverNames) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(now.toEpochMilli()).add(BigInteger.valueOf(System.nanoTime() & 0xffff)),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))),
                new X500Name(subject), key.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (serverNames) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static void write(Path file, Object pem) throws IOException {
        try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(pem);
        }
    }
}
