package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.Stack;
import io.stackctl.tls.EdgeCertificate;
import io.stackctl.tls.EdgeTls;
import io.stackctl.tls.InternalTls;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;

@Command(
        name = "certs",
        description = {
            "The certificate nginx serves over HTTPS: subject, names, validity, and whether nginx serves it now;"
                    + " then the db's and cache's (TLS inside the stack).",
            "certs renew replaces nginx's with no request cut; certs renew --internal the db's and cache's."
        },
        subcommands = {CertsRenew.class})
final class CertsCommand extends StackCommand {

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
            var tls = requireTls(stack);
            var certificate = tls.current()
                    .orElseThrow(() -> new StackctlException(
                            ExitCodes.PRECONDITION,
                            "there is no certificate yet (" + tls.edgeFile() + ")",
                            "bin/stackctl up makes one from the stack's private CA"));
            var served = tls.served(stack);
            print(this, stack, tls, certificate, served);
            if (!global.json()) {
                printInternal(this, InternalTls.of(stack).certificates());
            }
        }
        return ExitCodes.OK;
    }

    static EdgeTls requireTls(Stack stack) {
        if (!stack.settings().tls()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "TLS is off for project '" + stack.project() + "' (STACK_TLS=off): nginx serves plain HTTP only",
                    "remove STACK_TLS=off from compose/.env and run bin/stackctl up");
        }
        return EdgeTls.of(stack);
    }

    /** The db's and cache's certificates (TLS inside the stack), one row each. */
    static void printInternal(StackCommand command, Map<String, EdgeCertificate> certificates) {
        if (command.global.json()) {
            command.output().json(Map.of("internal", internalJson(certificates, Instant.now())));
            return;
        }
        if (certificates.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        var rows = certificates.entrySet().stream()
                .map(e -> List.of(
                        e.getKey(),
                        String.join(", ", e.getValue().names()),
                        e.getValue().notAfter().toString(),
                        e.getValue().expired(now)
                                ? "EXPIRED"
                                : Long.toString(e.getValue().left(now).toDays()),
                        e.getValue().serial()))
                .toList();
        command.output().line("");
        command.output().table(List.of("INSIDE THE STACK", "NAMES", "VALID UNTIL", "DAYS LEFT", "SERIAL"), rows);
    }

    private static List<Map<String, Object>> internalJson(Map<String, EdgeCertificate> certificates, Instant now) {
        return certificates.entrySet().stream()
                .map(e -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("service", e.getKey());
                    row.put("names", e.getValue().names());
                    row.put("not_after", e.getValue().notAfter().toString());
                    row.put("days_left", e.getValue().left(now).toDays());
                    row.put("serial", e.getValue().serial());
                    row.put("sha256", e.getValue().sha256());
                    return row;
                })
                .toList();
    }

    static void print(
            StackCommand command,
            Stack stack,
            EdgeTls tls,
            EdgeCertificate certificate,
            Optional<EdgeCertificate> served) {
        Instant now = Instant.now();
        boolean current =
                served.map(s -> s.sha256().equals(certificate.sha256())).orElse(false);
        if (command.global.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("file", tls.edgeFile().toString());
            doc.put("subject", certificate.subject());
            doc.put("issuer", certificate.issuer());
            doc.put("from_stack_ca", certificate.fromStackCa());
            doc.put(
                    "ca_file",
                    certificate.fromStackCa() ? tls.caCertificateFile().toString() : null);
            doc.put("names", certificate.names());
            doc.put("not_before", certificate.notBefore().toString());
            doc.put("not_after", certificate.notAfter().toString());
            doc.put("days_left", certificate.left(now).toDays());
            doc.put("serial", certificate.serial());
            doc.put("sha256", certificate.sha256());
            doc.put("served", current);
            doc.put("url", stack.settings().baseUrl());
            doc.put("internal", internalJson(InternalTls.of(stack).certificates(), now));
            command.output().json(doc);
            return;
        }
        Duration left = certificate.left(now);
        var rows = List.of(
                List.of("file", tls.edgeFile().toString()),
                List.of("subject", certificate.subject()),
                List.of(
                        "issuer",
                        certificate.issuer() + (certificate.fromStackCa() ? " (the stack's private CA)" : "")),
                List.of("names", String.join(", ", certificate.names())),
                List.of(
                        "valid",
                        certificate.notBefore() + " to " + certificate.notAfter() + " ("
                                + (left.isNegative() ? "EXPIRED" : left.toDays() + " days left") + ")"),
                List.of("serial", certificate.serial()),
                List.of("sha256", certificate.sha256()),
                List.of(
                        "served",
                        current
                                ? "yes, by nginx at " + stack.settings().baseUrl()
                                : served.isPresent()
                                        ? "NO: nginx serves serial "
                                                + served.get().serial() + " (bin/stackctl certs renew loads the file)"
                                        : "no answer on " + stack.settings().baseUrl() + " (is the stack up?)"));
        command.output().table(List.of("CERTIFICATE", ""), rows);
        if (certificate.fromStackCa()) {
            command.err()
                    .println("trust it: curl --cacert " + tls.caCertificateFile() + " "
                            + stack.settings().baseUrl()
                            + "/ready; browsers: import that file as a certificate authority");
        }
    }
}
