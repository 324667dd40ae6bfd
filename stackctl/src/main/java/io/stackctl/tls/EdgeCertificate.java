package io.stackctl.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** What {@code stackctl certs} shows of the certificate nginx serves: never its key. */
public record EdgeCertificate(
        String subject,
        String issuer,
        List<String> names,
        Instant notBefore,
        Instant notAfter,
        String serial,
        String sha256,
        boolean fromStackCa) {

    /** {@code health} warns this long before the certificate expires. */
    public static final Duration WARN_BEFORE = Duration.ofDays(14);

    static EdgeCertificate of(X509Certificate certificate, boolean fromStackCa) {
        return new EdgeCertificate(
                certificate.getSubjectX500Principal().getName(),
                certificate.getIssuerX500Principal().getName(),
                names(certificate),
                certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant(),
                certificate.getSerialNumber().toString(16),
                fingerprint(certificate),
                fromStackCa);
    }

    public Duration left(Instant now) {
        return Duration.between(now, notAfter);
    }

    public boolean expired(Instant now) {
        return !now.isBefore(notAfter);
    }

    /** The problem health reports, a warning it prints, or nothing. */
    public String expiry(Instant now) {
        long days = left(now).toDays();
        return expired(now)
                ? "the edge certificate expired " + notAfter + ": browsers and clients refuse the stack's HTTPS"
                : "the edge certificate expires in " + days + " day" + (days == 1 ? "" : "s") + " (" + notAfter + ")";
    }

    static List<String> names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            var alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> entry : alternatives) {
                    int type = (Integer) entry.get(0);
                    if (type == 2 || type == 7) { // dNSName, iPAddress
                        names.add(String.valueOf(entry.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // a certificate whose names cannot be read names none: clients will refuse it, and certs shows that
        }
        return List.copyOf(names);
    }

    private static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint the certificate", e);
        }
    }
}
