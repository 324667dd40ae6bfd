package io.stackctl.tls;

import io.stackctl.stack.Stack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The certificates the db and cache services serve the app when {@code STACK_INTERNAL_TLS=on}, from the stack's CA
 * (the one that signs nginx's): {@code compose/tls/db/} and {@code compose/tls/cache/} each hold {@code server.crt},
 * {@code server.key} (0600) and {@code ca.crt}, mounted into that service alone, so neither can pose as the other;
 * {@code compose/tls/trust/ca.crt} is what the app checks them against. Kept whether or not TLS is on, so turning it
 * on takes an {@code up} and nothing else.
 */
public final class InternalTls {

    /** The services that serve TLS inside the stack, each under the name the app reaches it by. */
    public static final List<String> SERVICES = List.of(Stack.DB, Stack.CACHE);

    static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private final Path dir;
    private final EdgeTls edge;

    InternalTls(Path dir, EdgeTls edge) {
        this.dir = dir;
        this.edge = edge;
    }

    public static InternalTls of(Stack stack) {
        return new InternalTls(stack.files().tlsDir(), EdgeTls.of(stack));
    }

    /**
     * For {@code up}: each service has a certificate from the stack's CA for its name with time left, and everyone
     * has the CA's certificate. Returns what it issued, or nothing when every certificate stands.
     */
    public Optional<String> prepare(Instant now) {
        StackCa ca = edge.caOrCreate(now);
        String caPem = Pem.write(ca.certificate());
        List<String> issued = new ArrayList<>();
        Instant until = null;
        for (String service : SERVICES) {
            Path folder = dir.resolve(service);
            writeIfChanged(folder.resolve("ca.crt"), caPem);
            if (stands(folder, ca, service, now)) {
                continue;
            }
            var certificate = ca.issue(names(service), now);
            // The key first: a certificate beside another one's key would be refused by the service at its start.
            EdgeTls.writePrivate(folder.resolve("server.key"), Pem.write(certificate.key()));
            EdgeTls.writePublic(folder.resolve("server.crt"), Pem.write(certificate.certificate()));
            issued.add(service);
            until = certificate.certificate().getNotAfter().toInstant();
        }
        writeIfChanged(trustFile(), caPem);
        return issued.isEmpty()
                ? Optional.empty()
                : Optional.of("issued the stack's internal certificates for " + String.join(", ", issued)
                        + " (TLS from the app to PostgreSQL and Redis when STACK_INTERNAL_TLS=on), valid until "
                        + until);
    }

    /** The CA's certificate as the app's replicas read it (compose/tls/trust, mounted at /run/stack-tls). */
    public Path trustFile() {
        return dir.resolve("trust").resolve("ca.crt");
    }

    /** The certificate {@code service} serves, when stackctl issued one. */
    public Optional<X509Certificate> certificate(String service) {
        Path file = dir.resolve(service).resolve("server.crt");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return EdgeTls.readPem(file).certificates().stream().findFirst();
    }

    /** A service's name, and the loopback names its own health check reaches it by. */
    static List<String> names(String service) {
        return List.of(service, "localhost", "127.0.0.1");
    }

    private boolean stands(Path folder, StackCa ca, String service, Instant now) {
        Path certFile = folder.resolve("server.crt");
        Path keyFile = folder.resolve("server.key");
        if (!Files.exists(certFile) || !Files.exists(keyFile)) {
            return false;
        }
        try {
            var certificates = EdgeTls.readPem(certFile).certificates();
            var key = EdgeTls.readPem(keyFile).key();
            if (certificates.isEmpty() || key.isEmpty()) {
                return false;
            }
            X509Certificate certificate = certificates.get(0);
            certificate.verify(ca.certificate().getPublicKey());
            var edgeCertificate = EdgeCertificate.of(certificate, true);
            return EdgeTls.matches(key.get(), certificate)
                    && edgeCertificate.names().containsAll(names(service))
                    && edgeCertificate.left(now).compareTo(RENEW_BEFORE) > 0;
        } catch (GeneralSecurityException | RuntimeException e) {
            // Not from this CA, or unreadable: issued again.
            return false;
        }
    }

    private static void writeIfChanged(Path file, String text) {
        try {
            if (Files.exists(file) && Files.readString(file).equals(text)) {
                return;
            }
        } catch (IOException e) {
            // unreadable: written again
        }
        EdgeTls.writePublic(file, text);
    }
}
