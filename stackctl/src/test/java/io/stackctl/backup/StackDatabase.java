package io.stackctl.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A PostgreSQL container set up as the stack's db service sets itself up: its database and superuser, the app's
 * password, and compose/db's scripts at /stack/db. Skips the test class when no Docker engine answers.
 */
final class StackDatabase {

    static final String APP_PASSWORD = "it-app-secret";
    private static final Path SCRIPTS = Path.of("../compose/db").toAbsolutePath();

    private StackDatabase() {}

    /** POSTGRES_IMAGE (the air-gapped stand-in in CI), else {@code fallback}. */
    static PostgreSQLContainer container(String fallback) {
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            available = false;
        }
        Assumptions.assumeTrue(available, "no Docker engine reachable: container tests skipped");
        String image = System.getenv().getOrDefault("POSTGRES_IMAGE", "").isBlank()
                ? fallback
                : System.getenv("POSTGRES_IMAGE");
        return new PostgreSQLContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("postgres"))
                .withDatabaseName("taskmanager")
                .withUsername("taskmanager")
                .withPassword("it-secret")
                .withEnv("APP_DB_PASSWORD", APP_PASSWORD)
                .withCopyFileToContainer(MountableFile.forHostPath(SCRIPTS), "/stack/db");
    }

    /** Closes what a test class opened, whichever of the two it got to. */
    static void stop(io.stackctl.engine.Engine engine, PostgreSQLContainer db) {
        if (engine != null) {
            engine.close();
        }
        if (db != null) {
            db.stop();
        }
    }

    /** The roles as the db service's health check makes them: stackctl acts as stackctl_ops, the data is the app's. */
    static void makeRoles(PostgreSQLContainer db, String... thenRun) throws Exception {
        String check =
                "bash /stack/db/ensure-roles.sh" + (thenRun.length == 0 ? "" : " && " + String.join(" && ", thenRun));
        var roles = db.execInContainer("bash", "-c", check);
        assertThat(roles.getExitCode()).as(roles.getStderr()).isZero();
    }
}
