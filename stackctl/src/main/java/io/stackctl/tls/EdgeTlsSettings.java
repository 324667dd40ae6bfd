package io.stackctl.tls;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.StackSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * compose/.env's say on nginx's certificate: the names it must carry ({@code TLS_NAMES}, beside the loopback names
 * every stack answers to), or the user's own certificate and key by path ({@code TLS_CERT_FILE}, {@code
 * TLS_KEY_FILE}).
 */
public record EdgeTlsSettings(List<String> names, Optional<Path> certFile, Optional<Path> keyFile) {

    /** What a client on this host uses (stackctl, curl, a browser): always in a certificate the stack makes. */
    static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1", "::1");

    private static final Pattern DNS_NAME =
            Pattern.compile("(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}"
                    + "[A-Za-z0-9])?)*");

    public static EdgeTlsSettings resolve(
            StackSettings stack, Map<String, String> environment, EnvFile envFile, Path root) {
        var names = new LinkedHashSet<String>();
        String listed = StackSettings.setting("TLS_NAMES", "", environment, envFile);
        for (String name :
                Arrays.stream(listed.split("[,\\s]+")).filter(n -> !n.isBlank()).toList()) {
            if (!DNS_NAME.matcher(name).matches() && !StackCa.isAddress(name)) {
                throw new StackctlException(
                        ExitCodes.USAGE,
                        "TLS_NAMES holds '" + name + "', which is neither a host name nor an IP address",
                        "fix TLS_NAMES in compose/.env: names and addresses separated by commas, e.g."
                                + " TLS_NAMES=tasks.example.com,10.0.0.5");
            }
            names.add(name.toLowerCase(java.util.Locale.ROOT));
        }
        names.addAll(LOOPBACK);
        if (!stack.bind().equals("0.0.0.0") && !LOOPBACK.contains(stack.bind())) {
            names.add(stack.bind()); // the address stackctl itself connects to
        }
        Optional<Path> cert = path("TLS_CERT_FILE", environment, envFile, root);
        Optional<Path> key = path("TLS_KEY_FILE", environment, envFile, root);
        if (cert.isPresent() != key.isPresent()) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "compose/.env sets "
                            + (cert.isPresent()
                                    ? "TLS_CERT_FILE but not TLS_KEY_FILE"
                                    : "TLS_KEY_FILE" + " but not TLS_CERT_FILE")
                            + ": nginx needs both",
                    "set both to your certificate (PEM, the chain after it) and its unencrypted key, or neither for"
                            + " a certificate from the stack's own CA");
        }
        return new EdgeTlsSettings(List.copyOf(new ArrayList<>(names)), cert, key);
    }

    public boolean ownCertificate() {
        return certFile.isPresent();
    }

    private static Optional<Path> path(String key, Map<String, String> environment, EnvFile envFile, Path root) {
        String value = StackSettings.setting(key, "", environment, envFile).strip();
        return value.isEmpty()
                ? Optional.empty()
                : Optional.of(root.resolve(value).normalize());
    }
}
