package io.stackctl.stack;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The off-host backup repository compose/.env names: an S3-compatible object store (AWS, MinIO, Ceph, s3proxy) that
 * pgBackRest keeps as its second repository beside the local volume, so a lost disk does not take the backups with
 * it. Path-style URLs over TLS; the credentials reach the db container as files (compose/secrets/db), never through
 * its environment. Configured when {@code BACKUP_S3_BUCKET} is set; compose.yaml is then joined by offsite.yaml,
 * which gives the db service alone a network with a route out.
 */
public record OffsiteRepository(
        String host,
        int port,
        String bucket,
        String region,
        String path,
        String key,
        String keySecret,
        Optional<Path> caFile,
        boolean verifyTls) {

    public static final String BUCKET = "BACKUP_S3_BUCKET";
    public static final String ENDPOINT = "BACKUP_S3_ENDPOINT";
    public static final String KEY = "BACKUP_S3_KEY";
    public static final String KEY_SECRET = "BACKUP_S3_KEY_SECRET";
    public static final String CA_FILE = "BACKUP_S3_CA_FILE";

    private static final List<String> NAMES = List.of(
            ENDPOINT, BUCKET, "BACKUP_S3_REGION", "BACKUP_S3_PATH", KEY, KEY_SECRET, CA_FILE, "BACKUP_S3_VERIFY_TLS");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
    // S3's rules for bucket names that work with path-style URLs everywhere.
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._-]+)+");
    private static final String FIX = "fix it in compose/.env (see docs/backups.md, \"An off-host repository on S3\")";

    /** True when compose/.env (or the shell) names a bucket: the one thing that turns the repository on. */
    public static boolean configured(Map<String, String> environment, EnvFile envFile) {
        return !StackSettings.setting(BUCKET, "", environment, envFile).isBlank();
    }

    /**
     * The repository compose/.env describes, or empty when it names none. Every setting is checked here, before any
     * container sees it: a wrong one is exit 2 naming the setting, not a pgBackRest error minutes later.
     */
    public static Optional<OffsiteRepository> resolve(Map<String, String> environment, EnvFile envFile) {
        String bucket = StackSettings.setting(BUCKET, "", environment, envFile).strip();
        if (bucket.isEmpty()) {
            for (String name : NAMES) {
                if (!StackSettings.setting(name, "", environment, envFile).isBlank()) {
                    throw invalid(
                            name + " is set but " + BUCKET + " is not, so there is no off-host repository",
                            "set " + BUCKET + " to the bucket that holds the backups, or remove the BACKUP_S3_* lines");
                }
            }
            return Optional.empty();
        }
        if (!BUCKET_NAME.matcher(bucket).matches() || bucket.contains("..")) {
            throw invalid(
                    BUCKET + " '" + bucket + "' is not an S3 bucket name",
                    "use 3 to 63 lower-case letters, digits, dots and hyphens; " + FIX);
        }
        String endpoint =
                StackSettings.setting(ENDPOINT, "", environment, envFile).strip();
        if (endpoint.isEmpty()) {
            throw invalid(
                    ENDPOINT + " is not set, so there is no object store to send backups to",
                    "set it to the store's host[:port], such as s3.eu-west-1.amazonaws.com or minio.example:9000");
        }
        if (endpoint.startsWith("http://")) {
            throw invalid(
                    ENDPOINT + " '" + endpoint + "' is plain HTTP: pgBackRest talks to S3 over TLS only",
                    "serve the store over HTTPS and give host[:port]; for a private CA set " + CA_FILE);
        }
        String hostPort = endpoint.replaceFirst("^https://", "").replaceFirst("/$", "");
        String host = hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
        int port = hostPort.contains(":") ? port(hostPort.substring(hostPort.lastIndexOf(':') + 1), endpoint) : 443;
        if (!HOST.matcher(host).matches()) {
            throw invalid(
                    ENDPOINT + " '" + endpoint + "' is not host[:port]",
                    "give the store's name or address and port, with no path: minio.example:9000");
        }
        String path = StackSettings.setting("BACKUP_S3_PATH", "/stackctl", environment, envFile)
                .strip();
        if (!PATH.matcher(path).matches()) {
            throw invalid(
                    "BACKUP_S3_PATH '" + path + "' is not a path inside the bucket",
                    "start it with / and use letters, digits, dots, hyphens and underscores: /stackctl/prod");
        }
        String key = required(KEY, environment, envFile);
        String keySecret = required(KEY_SECRET, environment, envFile);
        Optional<Path> caFile = Optional.of(
                        StackSettings.setting(CA_FILE, "", environment, envFile).strip())
                .filter(value -> !value.isEmpty())
                .map(OffsiteRepository::certificate);
        String verify = StackSettings.setting("BACKUP_S3_VERIFY_TLS", "y", environment, envFile)
                .strip();
        if (!verify.equals("y") && !verify.equals("n")) {
            throw invalid(
                    "BACKUP_S3_VERIFY_TLS must be y or n, got '" + verify + "'",
                    "leave it out (y): to trust a private CA set " + CA_FILE + " instead of turning checks off");
        }
        return Optional.of(new OffsiteRepository(
                host,
                port,
                bucket,
                StackSettings.setting("BACKUP_S3_REGION", "us-east-1", environment, envFile)
                        .strip(),
                path,
                key,
                keySecret,
                caFile,
                verify.equals("y")));
    }

    /**
     * The network a one-off container of the db image joins to reach the repositories: the project's offsite network
     * (compose/offsite.yaml) when there is an off-host repository, else none (the local repository is a volume).
     */
    public static String network(String project, boolean configured) {
        return configured ? project + "_offsite" : "none";
    }

    /** As pgBackRest and the S3 console name it: s3://host:port/bucket/path. */
    public String location() {
        return "s3://" + host + ":" + port + "/" + bucket + path;
    }

    /** Never the secret: records print every field, and this one lands in logs and error messages. */
    @Override
    public String toString() {
        return "OffsiteRepository[" + location() + "]";
    }

    /** The CA certificate's text, for compose/secrets/db/s3-ca.pem. */
    public Optional<String> caCertificate() {
        return caFile.map(file -> {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw invalid(
                        "cannot read " + CA_FILE + " " + file + ": " + e.getMessage(),
                        "check the path and that the user running stackctl can read it");
            }
        });
    }

    private static Path certificate(String value) {
        Path file = Path.of(value);
        try {
            if (!Files.readString(file).contains("-----BEGIN CERTIFICATE-----")) {
                throw invalid(
                        CA_FILE + " " + file + " holds no PEM certificate",
                        "point it at the CA certificate that signed the store's (PEM, -----BEGIN CERTIFICATE-----)");
            }
        } catch (IOException e) {
            throw invalid(
                    "cannot read " + CA_FILE + " " + file + " (" + e.getClass().getSimpleName() + ")",
                    "point it at the CA certificate (PEM) that signed the store's, readable by this user");
        }
        return file.toAbsolutePath();
    }

    private static String required(String name, Map<String, String> environment, EnvFile envFile) {
        String value = StackSettings.setting(name, "", environment, envFile).strip();
        if (value.isEmpty()) {
            throw invalid(
                    name + " is not set: the off-host repository needs the store's access key and secret",
                    "set " + KEY + " and " + KEY_SECRET + " to a key that may read and write " + BUCKET);
        }
        return value;
    }

    private static int port(String value, String endpoint) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(ENDPOINT + " '" + endpoint + "' has no valid port", "give host[:port], the port 1 to 65535");
    }

    private static StackctlException invalid(String message, String hint) {
        return new StackctlException(ExitCodes.USAGE, message, hint);
    }
}
