package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsiteRepositoryTest {

    @TempDir
    Path dir;

    private EnvFile env(String text) throws Exception {
        Path file = dir.resolve(".env");
        Files.writeString(file, text);
        return EnvFile.load(file);
    }

    private static final String GOOD = """
            BACKUP_S3_ENDPOINT=minio.example:9000
            BACKUP_S3_BUCKET=stack-backups
            BACKUP_S3_KEY=AKIAEXAMPLE
            BACKUP_S3_KEY_SECRET=a-secret-of-some-length
            """;

    @Test
    void aBucketWithEndpointAndKeyIsAnOffsiteRepositoryWithDefaultsForTheRest() throws Exception {
        var repository = OffsiteRepository.resolve(Map.of(), env(GOOD)).orElseThrow();

        assertThat(repository.host()).isEqualTo("minio.example");
        assertThat(repository.port()).isEqualTo(9000);
        assertThat(repository.region()).isEqualTo("us-east-1");
        assertThat(repository.path()).isEqualTo("/stackctl");
        assertThat(repository.verifyTls()).isTrue();
        assertThat(repository.location()).isEqualTo("s3://minio.example:9000/stack-backups/stackctl");
        assertThat(repository.toString()).doesNotContain("a-secret-of-some-length");
        assertThat(OffsiteRepository.configured(Map.of(), env(GOOD))).isTrue();
    }

    @Test
    void noBucketIsNoRepositoryAndCostsNothing() throws Exception {
        assertThat(OffsiteRepository.resolve(Map.of(), env("STACK_TLS=on\n"))).isEmpty();
        assertThat(OffsiteRepository.configured(Map.of(), env("STACK_TLS=on\n")))
                .isFalse();
    }

    @Test
    void anHttpsEndpointWithoutPortMeans443AndTheShellWinsOverTheFile() throws Exception {
        var repository = OffsiteRepository.resolve(
                        Map.of("BACKUP_S3_ENDPOINT", "https://s3.eu-west-1.amazonaws.com"), env(GOOD))
                .orElseThrow();

        assertThat(repository.host()).isEqualTo("s3.eu-west-1.amazonaws.com");
        assertThat(repository.port()).isEqualTo(443);
    }

    @Test
    void eachWrongSettingIsAUsageErrorNamingIt() throws Exception {
        assertRefused(GOOD.replace("minio.example:9000", "http://minio.example:9000"), "plain HTTP");
        assertRefused(GOOD.replace("minio.example:9000", "minio.example:99999"), "no valid port");
        assertRefused(GOOD.replace("minio.example:9000", "minio.example/path"), "is not host[:port]");
        assertRefused(GOOD.replace("stack-backups", "Stack_Backups"), "is not an S3 bucket name");
        assertRefused(GOOD.replace("BACKUP_S3_KEY_SECRET=a-secret-of-some-length\n", ""), "BACKUP_S3_KEY_SECRET");
        assertRefused(GOOD.replace("BACKUP_S3_ENDPOINT=minio.example:9000\n", ""), "BACKUP_S3_ENDPOINT is not set");
        assertRefused(GOOD + "BACKUP_S3_PATH=no-slash\n", "BACKUP_S3_PATH");
        assertRefused(GOOD + "BACKUP_S3_VERIFY_TLS=maybe\n", "BACKUP_S3_VERIFY_TLS");
        assertRefused(GOOD + "BACKUP_S3_CA_FILE=" + dir.resolve("missing.pem") + "\n", "cannot read BACKUP_S3_CA_FILE");
        assertRefused(GOOD.replace("BACKUP_S3_BUCKET=stack-backups\n", ""), "BACKUP_S3_BUCKET is not");
    }

    @Test
    void aCaFileMustHoldAPemCertificate() throws Exception {
        Path notPem = dir.resolve("ca.txt");
        Files.writeString(notPem, "hello\n");
        assertRefused(GOOD + "BACKUP_S3_CA_FILE=" + notPem + "\n", "holds no PEM certificate");

        Path pem = dir.resolve("ca.pem");
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        var repository = OffsiteRepository.resolve(Map.of(), env(GOOD + "BACKUP_S3_CA_FILE=" + pem + "\n"))
                .orElseThrow();
        assertThat(repository.caCertificate())
                .hasValueSatisfying(text -> assertThat(text).contains("MIIB"));
    }

    private void assertRefused(String text, String message) throws Exception {
        var envFile = env(text);
        assertThatThrownBy(() -> OffsiteRepository.resolve(Map.of(), envFile))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((StackctlException) e).exitCode()).isEqualTo(ExitCodes.USAGE))
                .satisfies(e -> assertThat(((StackctlException) e).hint()).isNotBlank());
    }
}
