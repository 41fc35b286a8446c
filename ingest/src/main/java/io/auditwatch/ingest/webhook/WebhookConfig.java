package io.auditwatch.ingest.webhook;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Every setting of the webhook receiver, immutable.
 *
 * @param tlsCert            server certificate chain (PEM); null only with {@code insecureHttp}
 * @param tlsKey             its private key (PEM)
 * @param clientCa           CA of accepted client certificates (mTLS), or null
 * @param allowedClientNames when not empty, the client certificate's CN must be one of these (else 403)
 * @param tokenFile          file holding the bearer token the API server sends, or null
 * @param insecureHttp       plain HTTP, for local tests only
 * @param maxBodyBytes       larger bodies get 413
 * @param retryAfter         what a 503 asks the API server to wait
 * @param readTimeout        how long a request's headers and body may take to arrive; a slower client is cut off
 * @param cluster            stamped on every record (header {@code auditwatch.cluster}), or null
 */
public record WebhookConfig(InetSocketAddress listen, Path tlsCert, Path tlsKey, Path clientCa,
                            List<String> allowedClientNames, Path tokenFile, boolean insecureHttp, int maxBodyBytes,
                            Duration retryAfter, Duration readTimeout, int threads, String cluster) {
    public WebhookConfig {
        allowedClientNames = List.copyOf(allowedClientNames);
        if (readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("the read timeout must be positive, not " + readTimeout);
        }
        if (clientCa == null && tokenFile == null) {
            throw new IllegalArgumentException("the webhook needs client certificates (a client CA) or a bearer token file");
        }
        if (!insecureHttp && (tlsCert == null || tlsKey == null)) {
            throw new IllegalArgumentException("HTTPS needs a certificate and a key (or plain HTTP for local tests)");
        }
        if (insecureHttp && clientCa != null) {
            throw new IllegalArgumentException("client certificates need HTTPS");
        }
    }
}
