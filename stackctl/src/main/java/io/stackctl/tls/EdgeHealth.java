package io.stackctl.tls;

import io.stackctl.core.StackctlException;
import io.stackctl.stack.Stack;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code health} says of nginx's certificate: none, or expired, is a problem (clients refuse the stack's
 * HTTPS); expiring within {@link EdgeCertificate#WARN_BEFORE}, or nginx serving another certificate than its file (a
 * renewal stopped before the reload), is a warning.
 */
public record EdgeHealth(List<String> problems, List<String> warnings) {

    public static EdgeHealth of(Stack stack, Instant now) {
        if (!stack.settings().tls()) {
            return new EdgeHealth(List.of(), List.of());
        }
        try {
            var tls = EdgeTls.of(stack);
            return judge(tls.current(), tls.served(stack), now);
        } catch (StackctlException e) {
            return new EdgeHealth(List.of(e.getMessage() + " (" + e.hint() + ")"), List.of());
        }
    }

    static EdgeHealth judge(Optional<EdgeCertificate> inFile, Optional<EdgeCertificate> served, Instant now) {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (inFile.isEmpty()) {
            problems.add("nginx has no certificate though STACK_TLS is on: bin/stackctl up makes one");
            return new EdgeHealth(problems, warnings);
        }
        var certificate = inFile.get();
        String renew = "bin/stackctl certs renew"
                + (certificate.fromStackCa() ? "" : " once TLS_CERT_FILE and TLS_KEY_FILE hold a renewed certificate");
        if (certificate.expired(now)) {
            problems.add(certificate.expiry(now) + ": " + renew);
        } else if (certificate.left(now).compareTo(EdgeCertificate.WARN_BEFORE) < 0) {
            warnings.add(certificate.expiry(now) + ": " + renew);
        }
        served.filter(s -> !s.sha256().equals(certificate.sha256()))
                .ifPresent(s -> warnings.add("nginx serves serial " + s.serial() + ", not the certificate in its file"
                        + " (serial " + certificate.serial() + "): a renewal stopped before nginx reloaded;"
                        + " bin/stackctl certs renew"));
        return new EdgeHealth(List.copyOf(problems), List.copyOf(warnings));
    }
}
