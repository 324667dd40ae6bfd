package io.stackctl.tls;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Stack;
import io.stackctl.stack.Standby;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private static final Duration RELOAD_WITHIN = Duration.ofSeconds(20);

    private final Path dir;
    private final EdgeTls edge;

    InternalTls(Path dir, EdgeTls edge) {
        this.dir = dir;
        this.edge = edge;
    }

    public static InternalTls of(Stack stack) {
        return new InternalTls(stack.files().tlsDir(), EdgeTls.of(stack));
    }

    /** What {@link #prepare} or {@link #renew} issued: the services, and until when their new certificates hold. */
    public record Issued(List<String> services, Instant at, Optional<Instant> until) {

        /** The line {@code up} prints, or nothing when every certificate stood. */
        public Optional<String> describe() {
            return services.isEmpty()
                    ? Optional.empty()
                    : Optional.of("issued the stack's internal certificates for " + String.join(", ", services)
                            + " (TLS from the app to PostgreSQL and Redis when STACK_INTERNAL_TLS=on), valid until "
                            + until.map(Instant::toString).orElse("?"));
        }
    }

    /**
     * For {@code up}: each service has a certificate from the stack's CA for its name with time left (more than
     * {@link #RENEW_BEFORE}), and everyone has the CA's certificate.
     */
    public Issued prepare(Instant now) {
        return issue(now, false);
    }

    /** For {@code certs renew --internal}: a new key and certificate for each service, whatever the old one's time. */
    public Issued renew(Instant now) {
        return issue(now, true);
    }

    private Issued issue(Instant now, boolean always) {
        StackCa ca = edge.caOrCreate(now);
        String caPem = Pem.write(ca.certificate());
        List<String> issued = new ArrayList<>();
        Instant until = null;
        for (String service : SERVICES) {
            Path folder = dir.resolve(service);
            writeIfChanged(folder.resolve("ca.crt"), caPem);
            if (!always && stands(folder, ca, service, now)) {
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
        return new Issued(List.copyOf(issued), now, Optional.ofNullable(until));
    }

    /**
     * Makes the services {@code issued} names serve their new certificates with no restart, when they were running
     * before: each one's reload-tls.sh (compose/db, compose/cache) through the engine. Open connections keep their
     * session. Returns a line per service it told; one started since read its certificate at its start. Exit 1 when
     * a service refused its certificate.
     */
    public List<String> load(Stack stack, Issued issued) {
        List<String> lines = new ArrayList<>();
        for (String service : issued.services()) {
            // Every db node serves the db's certificate (they mount the same folder): the standby too.
            var nodes = service.equals(Stack.DB) ? Standby.NODES : List.of(service);
            for (String node : nodes) {
                var running = stack.engine().containers(stack.project(), node).stream()
                        .filter(ServiceContainer::running)
                        .findFirst();
                if (running.isEmpty()) {
                    if (node.equals(service)) {
                        lines.add(service + ": not running; it serves the new certificate when it starts");
                    }
                    continue;
                }
                reload(stack, service, node, running.get(), issued).ifPresent(lines::add);
            }
        }
        return lines;
    }

    /** Tells one running container of {@code service} to load its renewed certificate; what it said, if anything. */
    private Optional<String> reload(Stack stack, String service, String node, ServiceContainer running, Issued issued) {
        if (running.startedAt().filter(started -> started.isAfter(issued.at())).isPresent()) {
            return Optional.empty();
        }
        String[] script = service.equals(Stack.DB)
                ? new String[] {"bash", "/stack/db/reload-tls.sh"}
                : new String[] {"sh", "/stack/cache/reload-tls.sh"};
        var result = stack.engine().exec(running.id(), RELOAD_WITHIN, script);
        String said = result.output().strip();
        if (result.exitCode() == 2) {
            return Optional.of(node + ": started before it had a certificate, so it serves plain connections only; a"
                    + " restart of the service turns TLS on (" + said + ")");
        }
        if (result.exitCode() != 0) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "the " + node + " service did not load its renewed certificate (exit " + result.exitCode() + "): "
                            + said,
                    "it still serves the previous one, which holds until it expires; see bin/stackctl logs " + node
                            + ", then run bin/stackctl certs renew --internal again");
        }
        return Optional.of(node + ": serves serial "
                + certificate(service)
                        .map(c -> c.getSerialNumber().toString(16))
                        .orElse("?")
                + " now, loaded with no restart" + (said.isEmpty() ? "" : " (" + said + ")"));
    }

    /** Each service's certificate as its folder holds it, for {@code certs} and {@code health}. */
    public Map<String, EdgeCertificate> certificates() {
        Map<String, EdgeCertificate> certificates = new LinkedHashMap<>();
        for (String service : SERVICES) {
            certificate(service).ifPresent(c -> certificates.put(service, EdgeCertificate.of(c, true)));
        }
        return certificates;
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

    /**
     * A service's name, and the loopback names its own health check reaches it by. The db's certificate serves every
     * db node (they mount the same folder): the app checks the name of whichever one is the primary.
     */
    static List<String> names(String service) {
        return service.equals(Stack.DB)
                ? List.of(service, Standby.SERVICE, "localhost", "127.0.0.1")
                : List.of(service, "localhost", "127.0.0.1");
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
