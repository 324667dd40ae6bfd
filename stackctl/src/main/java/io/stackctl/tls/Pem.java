package io.stackctl.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * PEM text in and out: certificates and unencrypted private keys (PKCS#8, or the "EC"/"RSA PRIVATE KEY" forms a
 * user's own key may come in). Keys are turned into JDK keys by the JDK's own providers.
 */
public final class Pem {

    private Pem() {}

    /** What one PEM text holds: its certificates in order, and its private key when it has one. */
    public record Contents(List<X509Certificate> certificates, Optional<PrivateKey> key) {}

    public static String write(Object... certificatesAndKeys) {
        var text = new StringWriter();
        try (var writer = new JcaPEMWriter(text)) {
            for (Object item : certificatesAndKeys) {
                // Keys as PKCS#8 ("PRIVATE KEY"), which nginx, OpenSSL and this class read whatever the algorithm.
                writer.writeObject(item instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : item);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write PEM text", e);
        }
        return text.toString();
    }

    /** @throws IllegalArgumentException naming what is wrong, when the text is not PEM or holds something else */
    public static Contents read(String text) {
        List<X509Certificate> certificates = new ArrayList<>();
        PrivateKey key = null;
        var converter = new JcaPEMKeyConverter();
        try (var parser = new PEMParser(new StringReader(text))) {
            for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
                if (item instanceof X509CertificateHolder holder) {
                    certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
                } else if (item instanceof PrivateKeyInfo info) {
                    key = converter.getPrivateKey(info);
                } else if (item instanceof PEMKeyPair pair) {
                    key = converter.getPrivateKey(pair.getPrivateKeyInfo());
                } else {
                    throw new IllegalArgumentException(
                            "it holds a " + item.getClass().getSimpleName()
                                    + "; only certificates and unencrypted private keys are read");
                }
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("it is not readable PEM: " + e.getMessage(), e);
        }
        return new Contents(List.copyOf(certificates), Optional.ofNullable(key));
    }
}
