package io.stackctl.taskmanager;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A self-signed server certificate for the tests (its own CA), valid for a day, for the names given. */
record TestCertificate(X509Certificate certificate, KeyPair keys) {

    static TestCertificate selfSigned(String... names) {
        try {
            var generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            var subject = new X500Name("CN=" + names[0]);
            var now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(
                            subject,
                            BigInteger.valueOf(System.nanoTime()),
                            Date.from(now.minus(Duration.ofHours(1))),
                            Date.from(now.plus(Duration.ofDays(1))),
                            subject,
                            keys.getPublic())
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(Arrays.stream(names)
                                    .map(name -> new GeneralName(
                                            name.matches("[0-9.]+") ? GeneralName.iPAddress : GeneralName.dNSName,
                                            name))
                                    .toArray(GeneralName[]::new)));
            var certificate = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            return new TestCertificate(certificate, keys);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make a test certificate for " + Arrays.toString(names), e);
        }
    }

    String certificatePem() {
        return pem(certificate);
    }

    /** The key, unencrypted PKCS#8. */
    String keyPem() {
        try {
            return pem(new JcaPKCS8Generator(keys.getPrivate(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The certificate in a file of its own, as a client's trust. */
    Path certificateFile(Path dir) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "ca", ".crt"), certificatePem());
    }

    private static String pem(Object item) {
        var text = new StringWriter();
        try (var writer = new JcaPEMWriter(text)) {
            writer.writeObject(item);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
