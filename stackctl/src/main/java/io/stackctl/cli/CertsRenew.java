package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.stack.Stack;
import io.stackctl.tls.EdgeCertificate;
import io.stackctl.tls.InternalTls;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "renew",
        description = {
            "A new key and certificate from the stack's CA (or your TLS_CERT_FILE and TLS_KEY_FILE read again),"
                    + " then a graceful nginx reload: open connections finish on the old certificate, new ones get"
                    + " the new one; no request is cut.",
            "With --internal: new certificates for the db and cache services (TLS inside the stack), loaded by the"
                    + " running PostgreSQL and Redis with no restart."
        })
final class CertsRenew extends StackCommand {

    @Option(
            names = "--internal",
            description = "Renew the db's and cache's certificates (STACK_INTERNAL_TLS) instead of nginx's.")
    boolean internal;

    @Override
    boolean changesStack() {
        return true;
    }

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
            if (internal) {
                return renewInternal(stack);
            }
            var tls = CertsCommand.requireTls(stack);
            tls.ensureFolder();
            var previous = tls.snapshot();
            var renewed = tls.renew(Instant.now());
            tls.reload(stack, previous);
            // nginx's reload returns once its master was told; the new workers take over a moment later.
            Optional<EdgeCertificate>[] served = new Optional[] {Optional.empty()};
            Pause.until(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
                served[0] = tls.served(stack);
                return served[0]
                                .filter(s -> s.sha256().equals(renewed.sha256()))
                                .isPresent()
                        || stack.runningNginx().isEmpty();
            });
            CertsCommand.print(this, stack, tls, renewed, served[0]);
        }
        return ExitCodes.OK;
    }

    private int renewInternal(Stack stack) {
        var tls = InternalTls.of(stack);
        var issued = tls.renew(Instant.now());
        progress("issued new certificates for %s from the stack's CA", String.join(", ", issued.services()));
        tls.load(stack, issued).forEach(line -> progress("  %s", line));
        CertsCommand.printInternal(this, tls.certificates());
        return ExitCodes.OK;
    }
}
