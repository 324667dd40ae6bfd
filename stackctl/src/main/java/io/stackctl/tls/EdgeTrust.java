package io.stackctl.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * What stackctl's own HTTPS clients trust: the JDK's CAs, the stack's CA (compose/tls/ca.crt), and the exact
 * certificate compose/tls/edge/edge.pem holds, the one this host's nginx was given (so a user's certificate that
 * does not name 127.0.0.1 still serves stackctl's probes). Both files are read again when they change: {@code up}
 * makes the CA after stackctl started, and {@code certs renew} replaces the certificate while clients run.
 */
public final class EdgeTrust extends X509ExtendedTrustManager {

    private final Path caFile;
    private final Path edgeFile;
    // Made on the first handshake: reading the JDK's CAs costs most commands, which never open HTTPS, half a second.
    private Loaded loaded;

    private record Loaded(
            FileTime caTime, FileTime edgeTime, List<X509Certificate> pinned, X509ExtendedTrustManager pkix) {}

    public EdgeTrust(Path caFile, Path edgeFile) {
        this.caFile = caFile;
        this.edgeFile = edgeFile;
    }

    /** Makes this the JVM's default, which every {@code java.net.http.HttpClient} built afterwards uses. */
    public static void install(Path caFile, Path edgeFile) {
        try {
            var context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new EdgeTrust(caFile, edgeFile)}, null);
            SSLContext.setDefault(context);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for stackctl's clients", e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        var current = current();
        if (!pinned(current, chain)) {
            current.pkix().checkServerTrusted(chain, authType, engine);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        var current = current();
        if (!pinned(current, chain)) {
            current.pkix().checkServerTrusted(chain, authType, socket);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        var current = current();
        if (!pinned(current, chain)) {
            current.pkix().checkServerTrusted(chain, authType);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("stackctl does not accept client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("stackctl does not accept client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("stackctl does not accept client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return current().pkix().getAcceptedIssuers();
    }

    private static boolean pinned(Loaded current, X509Certificate[] chain) {
        return chain.length > 0 && current.pinned().contains(chain[0]);
    }

    private synchronized Loaded current() {
        FileTime caTime = modified(caFile);
        FileTime edgeTime = modified(edgeFile);
        if (loaded == null || !same(caTime, loaded.caTime()) || !same(edgeTime, loaded.edgeTime())) {
            List<X509Certificate> anchors = certificates(caFile);
            List<X509Certificate> served = certificates(edgeFile);
            loaded = new Loaded(
                    caTime, edgeTime, served.isEmpty() ? List.of() : List.of(served.get(0)), defaults(anchors));
        }
        return loaded;
    }

    /** A PKIX trust manager over the JDK's CAs and {@code extra}; it checks the host name as HTTPS asks. */
    private static X509ExtendedTrustManager defaults(List<X509Certificate> extra) {
        try {
            var jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jdk.init((KeyStore) null);
            var store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int alias = 0;
            for (TrustManager manager : jdk.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    for (X509Certificate issuer : x509.getAcceptedIssuers()) {
                        store.setCertificateEntry("jdk-" + alias++, issuer);
                    }
                }
            }
            for (X509Certificate anchor : extra) {
                store.setCertificateEntry("stack-" + alias++, anchor);
            }
            var factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return Arrays.stream(factory.getTrustManagers())
                    .filter(X509ExtendedTrustManager.class::isInstance)
                    .map(X509ExtendedTrustManager.class::cast)
                    .findFirst()
                    .orElseThrow();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot read the JDK's trusted CAs", e);
        }
    }

    private static List<X509Certificate> certificates(Path file) {
        try {
            return Files.exists(file) ? Pem.read(Files.readString(file)).certificates() : List.of();
        } catch (IOException | RuntimeException e) {
            return new ArrayList<>(); // unreadable (not root, or half-made): trust what the JDK trusts
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean same(FileTime a, FileTime b) {
        return a == null ? b == null : a.equals(b);
    }
}
