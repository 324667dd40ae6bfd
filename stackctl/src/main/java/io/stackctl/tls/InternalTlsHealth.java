package io.stackctl.tls;

import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Stack;
import io.stackctl.stack.StackSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code health} says of the db's and cache's certificates: expired while the app uses them
 * ({@code STACK_INTERNAL_TLS=on}) is a problem, since no replica can then open a connection to either; expired while
 * it does not, or expiring within {@link EdgeCertificate#WARN_BEFORE}, is a warning. {@code up} renews them 30 days
 * before they end, so a warning means no {@code up} ran in the last two weeks of their life.
 */
public record InternalTlsHealth(List<String> problems, List<String> warnings) {

    public static InternalTlsHealth of(Stack stack, Instant now) {
        String setting = StackSettings.setting(
                "STACK_INTERNAL_TLS",
                "off",
                stack.environment(),
                EnvFile.load(stack.files().envFile()));
        return judge(InternalTls.of(stack).certificates(), !setting.strip().equals("off"), now);
    }

    static InternalTlsHealth judge(Map<String, EdgeCertificate> certificates, boolean inUse, Instant now) {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        String renew = "bin/stackctl certs renew --internal (or bin/stackctl up) issues a new one and loads it with no"
                + " restart";
        certificates.forEach((service, certificate) -> {
            long days = certificate.left(now).toDays();
            if (certificate.expired(now)) {
                String line = "the " + service + " service's certificate expired " + certificate.notAfter()
                        + (inUse ? ": the replicas cannot open a TLS connection to it; " : "; ") + renew;
                (inUse ? problems : warnings).add(line);
            } else if (certificate.left(now).compareTo(EdgeCertificate.WARN_BEFORE) < 0) {
                warnings.add("the " + service + " service's certificate expires in " + days + " day"
                        + (days == 1 ? "" : "s") + " (" + certificate.notAfter() + "): " + renew);
            }
        });
        return new InternalTlsHealth(List.copyOf(problems), List.copyOf(warnings));
    }
}
