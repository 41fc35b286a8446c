package io.auditwatch.ingest.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * TLS from the PEM files Kubernetes tooling writes (cert-manager, kubeadm, openssl): a server certificate chain
 * with its key (PKCS#1, PKCS#8 or SEC1 EC, unencrypted), and optionally the CA that signs client certificates;
 * all read again when they change.
 */
public final class PemTls {
    private static final char[] IN_MEMORY = new char[0];

    private PemTls() {
    }

    /**
     * A server context that reads the files again when they change (checked at most once per {@code recheck},
     * on a handshake), so that a renewed certificate or CA takes effect without a restart.
     *
     * @param clientCa CA certificates that client certificates must chain to; null when clients are not asked
     *                 for certificates
     * @throws IOException with the file and what is wrong with it, when the files are unusable at start
     */
    public static SSLContext serverContext(Path certChain, Path key, Path clientCa, Duration recheck)
            throws IOException {
        ReloadingServerTls reloading = new ReloadingServerTls(certChain, key, clientCa, recheck);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {reloading.keyManager()},
                    clientCa == null ? null : new TrustManager[] {reloading.trustManager()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build TLS from " + certChain + " and " + key + ": " + e.getMessage(), e);
        }
    }

    /** The key manager of one certificate chain and its key, under {@code alias}. */
    static X509ExtendedKeyManager keyManager(Path certChain, Path key, String alias) throws IOException {
        try {
            List<X509Certificate> chain = certificates(certChain);
            PrivateKey privateKey = privateKey(key);
            if (!matches(privateKey, chain.get(0))) {
                throw new IOException(key + " is not the key of the certificate in " + certChain);
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry(alias, privateKey, IN_MEMORY, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, IN_MEMORY);
            return (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build TLS from " + certChain + " and " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether the key signs what the certificate's public key verifies: a certificate renewed before its key
     * (two files, two writes) must not be served with the old key.
     */
    private static boolean matches(PrivateKey key, X509Certificate cert) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return true; // a key type we cannot test here: the handshake tells
        }
        byte[] probe = "auditwatch key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(cert.getPublicKey());
        verifier.update(probe);
        return verifier.verify(signature);
    }

    /** The trust manager of the CA certificates in {@code clientCa}. */
    static X509ExtendedTrustManager trustManager(Path clientCa) throws IOException {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            int i = 0;
            for (X509Certificate ca : certificates(clientCa)) {
                trusted.setCertificateEntry("ca-" + i++, ca);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            return (X509ExtendedTrustManager) tmf.getTrustManagers()[0];
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the client CA " + clientCa + ": " + e.getMessage(), e);
        }
    }

    public static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> certs = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(in)) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof X509CertificateHolder holder) {
                    certs.add(converter.getCertificate(holder));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": unreadable certificate: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new IOException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certs;
    }

    static PrivateKey privateKey(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(in)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo()); // an EC key may omit its public half
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        }
        // Never echo the file's content: it may be a key in a form we do not read.
        throw new IOException(file + " holds no unencrypted PEM private key");
    }
}
