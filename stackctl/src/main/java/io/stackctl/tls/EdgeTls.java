package io.stackctl.tls;

import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.nginx.Nginx;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Stack;
import io.stackctl.stack.StackFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * The certificate nginx serves, kept under compose/tls:
 * <ul>
 *   <li>{@code ca.crt}, {@code ca.key}: the stack's private CA (the key readable by its owner alone, never mounted);
 *   <li>{@code edge/edge.pem}: the certificate, then its key, in one file, so that a renewal replaces both in one
 *       rename and nginx can never load a certificate with another one's key. Only {@code edge/} is mounted into
 *       nginx.
 * </ul>
 */
public final class EdgeTls {

    /** {@code up} renews a certificate the stack made once it has less than this left. */
    static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private final Path dir;
    private final String project;
    private final EdgeTlsSettings settings;

    public EdgeTls(Path dir, String project, EdgeTlsSettings settings) {
        this.dir = dir;
        this.project = project;
        this.settings = settings;
    }

    /** The stack's certificate, as compose/.env and the shell configure it. */
    public static EdgeTls of(Stack stack) {
        var settings = EdgeTlsSettings.resolve(
                stack.settings(),
                stack.environment(),
                EnvFile.load(stack.files().envFile()),
                stack.files().root());
        return new EdgeTls(stack.files().tlsDir(), stack.project(), settings);
    }

    /** Where stackctl's clients find what to trust (see {@link EdgeTrust}). */
    public static void trustFor(StackFiles files) {
        EdgeTrust.install(
                files.tlsDir().resolve("ca.crt"), files.tlsDir().resolve("edge").resolve("edge.pem"));
    }

    /**
     * Has every running nginx load the certificate file as it is now ({@code nginx -t}, then a graceful reload);
     * on a refusal, {@code previous} is written back and nginx keeps serving what it had.
     */
    public void reload(Stack stack, Optional<String> previous) {
        for (ServiceContainer nginx : stack.runningNginx()) {
            var refused = Nginx.checkAndReload(stack.engine(), nginx);
            if (refused.isPresent()) {
                previous.ifPresent(text -> writePrivate(edgeFile(), text));
                throw new StackctlException(
                        ExitCodes.FAILED,
                        "nginx in " + nginx.name() + " did not take the new certificate (" + refused.get()
                                + "); it keeps serving the previous one",
                        "bin/stackctl logs nginx shows more; bin/stackctl certs shows the certificate in place");
            }
        }
    }

    /** What nginx hands out on the stack's HTTPS port now (nothing when it does not answer). */
    public Optional<EdgeCertificate> served(Stack stack) {
        return ServedCertificate.fetch(
                stack.settings().clientAddress(), stack.settings().httpsPort());
    }

    /** The certificate file as it is, to put back if nginx refuses what replaces it. */
    public Optional<String> snapshot() {
        try {
            return Files.exists(edgeFile()) ? Optional.of(Files.readString(edgeFile())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Makes the folder nginx mounts, so a bind mount (Swarm refuses a missing source) finds it with TLS off too. */
    public void ensureFolder() {
        try {
            Files.createDirectories(edgeFile().getParent());
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot create " + edgeFile().getParent() + ": " + e.getMessage(),
                    "check that " + dir.getParent() + " is writable");
        }
    }

    public Path caCertificateFile() {
        return dir.resolve("ca.crt");
    }

    Path caKeyFile() {
        return dir.resolve("ca.key");
    }

    public Path edgeFile() {
        return dir.resolve("edge").resolve("edge.pem");
    }

    /**
     * For {@code up}: nginx has a certificate for the configured names with time left, from the user's files or the
     * stack's CA (made on first use). Returns what it did, or nothing when the certificate in place stands.
     */
    public Optional<String> prepare(Instant now) {
        if (settings.ownCertificate()) {
            return installOwn(now);
        }
        boolean newCa = !Files.exists(caCertificateFile());
        StackCa ca = caOrCreate(now);
        var current = current();
        if (!newCa && current.isPresent() && current.get().fromStackCa()) {
            var served = current.get();
            if (canonical(served.names()).equals(canonical(settings.names()))
                    && served.left(now).compareTo(RENEW_BEFORE) > 0) {
                return Optional.empty();
            }
        }
        var issued = issue(ca, now);
        return Optional.of((newCa ? "made the stack's private CA (" + caCertificateFile() + ") and " : "")
                + "issued nginx's certificate for " + String.join(", ", issued.names()) + ", valid until "
                + issued.notAfter());
    }

    /**
     * For {@code certs renew}: a new key and certificate from the stack's CA, or the user's files read again (they
     * renewed them). The caller reloads nginx.
     */
    public EdgeCertificate renew(Instant now) {
        if (settings.ownCertificate()) {
            installOwn(now);
            return current().orElseThrow();
        }
        return issue(caOrCreate(now), now);
    }

    /** What nginx serves, when there is a certificate. */
    public Optional<EdgeCertificate> current() {
        if (!Files.exists(edgeFile())) {
            return Optional.empty();
        }
        var contents = readPem(edgeFile());
        if (contents.certificates().isEmpty()) {
            throw broken(edgeFile() + " holds no certificate");
        }
        X509Certificate served = contents.certificates().get(0);
        return Optional.of(EdgeCertificate.of(served, issuedByStackCa(served)));
    }

    private EdgeCertificate issue(StackCa ca, Instant now) {
        var issued = ca.issue(settings.names(), now);
        writePrivate(edgeFile(), Pem.write(issued.certificate(), issued.key()));
        return EdgeCertificate.of(issued.certificate(), true);
    }

    private Optional<String> installOwn(Instant now) {
        Path certFile = settings.certFile().orElseThrow();
        Path keyFile = settings.keyFile().orElseThrow();
        var chain = readPem(certFile).certificates();
        if (chain.isEmpty()) {
            throw own("TLS_CERT_FILE " + certFile + " holds no certificate");
        }
        PrivateKey key = readPem(keyFile)
                .key()
                .orElseThrow(() -> own("TLS_KEY_FILE " + keyFile + " holds no unencrypted private key"));
        X509Certificate leaf = chain.get(0);
        if (!matches(key, leaf)) {
            throw own("the key in " + keyFile + " is not the key of the certificate in " + certFile);
        }
        if (!now.isBefore(leaf.getNotAfter().toInstant())) {
            throw own("the certificate in " + certFile + " expired "
                    + leaf.getNotAfter().toInstant());
        }
        Object[] items = new Object[chain.size() + 1];
        for (int i = 0; i < chain.size(); i++) {
            items[i] = chain.get(i);
        }
        items[chain.size()] = key;
        String pem = Pem.write(items);
        try {
            if (Files.exists(edgeFile()) && Files.readString(edgeFile()).equals(pem)) {
                return Optional.empty();
            }
        } catch (IOException e) {
            // unreadable: written again below
        }
        writePrivate(edgeFile(), pem);
        return Optional.of("nginx serves your certificate from " + certFile + " (valid until "
                + leaf.getNotAfter().toInstant() + ")");
    }

    /** The stack's CA from compose/tls, made on first use (nginx's certificates and the db's and cache's). */
    StackCa caOrCreate(Instant now) {
        if (Files.exists(caCertificateFile())) {
            var certificate = readPem(caCertificateFile()).certificates();
            var key = Files.exists(caKeyFile()) ? readPem(caKeyFile()).key() : Optional.<PrivateKey>empty();
            if (certificate.isEmpty() || key.isEmpty() || !matches(key.get(), certificate.get(0))) {
                throw broken("the stack's CA in " + dir + " is incomplete: ca.crt and ca.key must both be there and"
                        + " belong together");
            }
            return new StackCa(certificate.get(0), key.get());
        }
        var ca = StackCa.create(project, now);
        // The key first: a ca.crt without its key would be taken for a CA that lost its key.
        writePrivate(caKeyFile(), Pem.write(ca.key()));
        writePublic(caCertificateFile(), Pem.write(ca.certificate()));
        return ca;
    }

    private boolean issuedByStackCa(X509Certificate certificate) {
        if (!Files.exists(caCertificateFile())) {
            return false;
        }
        var ca = readPem(caCertificateFile()).certificates();
        if (ca.isEmpty()) {
            return false;
        }
        try {
            certificate.verify(ca.get(0).getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The key signs what the certificate's public key verifies: they are one pair. */
    static boolean matches(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] challenge = "stackctl: does this key belong to this certificate?".getBytes();
            var signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            var verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static Pem.Contents readPem(Path file) {
        try {
            return Pem.read(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION, file + " does not exist", "fix the path in compose/.env", e);
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "cannot read " + file + ": " + e.getMessage(),
                    "check its owner and mode (stackctl must read it)",
                    e);
        } catch (IllegalArgumentException e) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    file + " is not a certificate or key stackctl can read: " + e.getMessage(),
                    "give a PEM certificate (its chain after it) and an unencrypted PEM key",
                    e);
        }
    }

    static void writePrivate(Path file, String text) {
        write(file, text, "rw-------");
    }

    static void writePublic(Path file, String text) {
        write(file, text, "rw-r--r--");
    }

    private static void write(Path file, String text, String mode) {
        try {
            AtomicFiles.writeString(
                    file,
                    text,
                    written -> Files.setPosixFilePermissions(written, PosixFilePermissions.fromString(mode)));
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot write " + file + ": " + e.getMessage(),
                    "check that " + file.getParent() + " is writable; nginx keeps the certificate it loaded");
        }
    }

    private static StackctlException own(String message) {
        return new StackctlException(
                ExitCodes.PRECONDITION,
                message,
                "fix TLS_CERT_FILE and TLS_KEY_FILE in compose/.env, or remove both for a certificate from the"
                        + " stack's own CA");
    }

    private StackctlException broken(String message) {
        return new StackctlException(
                ExitCodes.PRECONDITION,
                message,
                "move " + dir + " aside and run bin/stackctl up: it makes a new CA and certificate (clients must then"
                        + " trust the new ca.crt)");
    }

    /** Names as a certificate holds them: ::1 comes back as 0:0:0:0:0:0:0:1, and DNS names in any case. */
    static java.util.Set<String> canonical(List<String> names) {
        var set = new HashSet<String>();
        for (String name : names) {
            if (StackCa.isAddress(name)) {
                try {
                    set.add(java.net.InetAddress.getByName(name).getHostAddress());
                    continue;
                } catch (java.net.UnknownHostException e) {
                    // not an address after all: kept as written
                }
            }
            set.add(name.toLowerCase(java.util.Locale.ROOT));
        }
        return set;
    }
}
