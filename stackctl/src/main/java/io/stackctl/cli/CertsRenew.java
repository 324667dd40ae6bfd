package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.stack.Stack;
import io.stackctl.tls.EdgeCertificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;

@Command(
        name = "renew",
        description = {
            "A new key and certificate from the stack's CA (or your TLS_CERT_FILE and TLS_KEY_FILE read again),"
                    + " then a graceful nginx reload: open connections finish on the old certificate, new ones get"
                    + " the new one; no request is cut."
        })
final class CertsRenew extends StackCommand {

    @Override
    boolean changesStack() {
        return true;
    }

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
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
}
