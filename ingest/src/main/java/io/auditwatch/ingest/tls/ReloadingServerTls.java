package io.auditwatch.ingest.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's certificate, key and client CA, read again from their PEM files when the files change. Each
 * handshake asks for the current generation, checked against the files at most once per {@code recheck}. A
 * change that does not parse (a certificate renewed before its key is written) keeps the last good generation
 * and is tried again at the next check. Each generation has its own key alias, so a handshake that chose a
 * certificate gets that certificate's key even if a reload happens in between.
 */
final class ReloadingServerTls {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingServerTls.class);

    private final Path certChain;
    private final Path key;
    private final Path clientCa;
    private final long recheckNanos;
    private long checkedAt;
    private byte[] content;
    private byte[] rejected;
    private int generation;
    private volatile Generation current;
    private volatile Generation previous;

    ReloadingServerTls(Path certChain, Path key, Path clientCa, Duration recheck) throws IOException {
        this.certChain = certChain;
        this.key = key;
        this.clientCa = clientCa;
        this.recheckNanos = recheck.toNanos();
        this.content = content();
        this.current = load();
        this.checkedAt = System.nanoTime();
    }

    private record Generation(String alias, X509ExtendedKeyManager keys, X509ExtendedTrustManager trust) {
    }

    private byte[] content() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path p : new Path[] {certChain, key, clientCa}) {
            if (p != null) {
                all.write(Files.readAllBytes(p));
                all.write(0);
            }
        }
        return all.toByteArray();
    }

    private Generation load() throws IOException {
        String alias = "server-" + generation++;
        return new Generation(alias, PemTls.keyManager(certChain, key, alias),
                clientCa == null ? null : PemTls.trustManager(clientCa));
    }

    private synchronized Generation refresh() {
        long now = System.nanoTime();
        if (now - checkedAt < recheckNanos) {
            return current;
        }
        checkedAt = now;
        byte[] fresh = null;
        try {
            fresh = content();
            if (!Arrays.equals(fresh, content)) {
                Generation loaded = load();
                content = fresh;
                previous = current;
                current = loaded;
                LOG.info("TLS certificate, key and client CA re-read from {}, {}, {}", certChain, key, clientCa);
            }
        } catch (IOException e) {
            if (fresh == null || !Arrays.equals(fresh, rejected)) { // once per bad content, not once per check
                LOG.warn("keeping the previous TLS files: {}", e.getMessage());
            }
            rejected = fresh;
        }
        return current;
    }

    private X509ExtendedKeyManager keysOf(String alias) {
        Generation now = current;
        Generation before = previous;
        // SunX509 answers the alias itself, PKIX prefixes it with "<builder>.".
        boolean older = before != null && alias != null
                && (alias.equals(before.alias()) || alias.endsWith("." + before.alias()));
        return older ? before.keys() : now.keys();
    }

    X509ExtendedKeyManager keyManager() {
        return new X509ExtendedKeyManager() {
            @Override
            public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
                return refresh().keys().chooseEngineServerAlias(keyType, issuers, engine);
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return refresh().keys().chooseServerAlias(keyType, issuers, socket);
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return current.keys().getServerAliases(keyType, issuers);
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return keysOf(alias).getCertificateChain(alias);
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return keysOf(alias).getPrivateKey(alias);
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return null; // a server: never a client
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return null;
            }
        };
    }

    X509ExtendedTrustManager trustManager() {
        return new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                refresh().trust().checkClientTrusted(chain, authType, engine);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                refresh().trust().checkClientTrusted(chain, authType, socket);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                refresh().trust().checkClientTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return refresh().trust().getAcceptedIssuers();
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                throw new CertificateException("a server's trust manager checks no server");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                throw new CertificateException("a server's trust manager checks no server");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("a server's trust manager checks no server");
            }
        };
    }
}
