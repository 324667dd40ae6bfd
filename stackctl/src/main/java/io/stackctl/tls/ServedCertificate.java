package io.stackctl.tls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The certificate nginx hands out right now, read from a TLS handshake and nothing more: no request is sent, and
 * nothing is trusted on the strength of it (it is only compared with the file nginx was given).
 */
public final class ServedCertificate {

    private static final int TIMEOUT_MILLIS = 3000;

    private ServedCertificate() {}

    public static Optional<EdgeCertificate> fetch(String host, int port) {
        try {
            var context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new Recorder()}, null);
            try (var socket = (SSLSocket) context.getSocketFactory().createSocket()) {
                socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                socket.startHandshake();
                var chain = socket.getSession().getPeerCertificates();
                return chain.length > 0 && chain[0] instanceof X509Certificate leaf
                        ? Optional.of(EdgeCertificate.of(leaf, false))
                        : Optional.empty();
            }
        } catch (IOException | GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    /** Accepts any chain: what is served is compared afterwards, never trusted for its own sake. */
    private static final class Recorder implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
