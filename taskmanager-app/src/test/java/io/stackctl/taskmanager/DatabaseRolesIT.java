package io.stackctl.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.images.builder.Transferable;

/**
 * Least privilege in the database, with the stack's own compose/db/ensure-roles.sh: the app logs in as a role that
 * owns its schema and can do nothing beyond it, stackctl's role cannot log in over the network, and what drifts
 * (an object made by the superuser, a password changed by hand) is put back by the script's next run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseRolesIT {

    /** PostgreSQL's insufficient_privilege. */
    private static final String DENIED = "42501";

    private TestStack stack;

    @BeforeAll
    void startStack() {
        stack = TestStack.start("it-roles", 0, 0);
    }

    @AfterAll
    void stopStack() {
        TestStack.close(stack);
    }

    private Connection superuser() throws SQLException {
        return DriverManager.getConnection(stack.db.getJdbcUrl(), Containers.DB_USER, Containers.DB_PASSWORD);
    }

    private Connection app() throws SQLException {
        return DriverManager.getConnection(stack.db.getJdbcUrl(), Containers.APP_DB_USER, Containers.APP_DB_PASSWORD);
    }

    private static List<String> strings(Connection connection, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (var rows = connection.createStatement().executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }

    private void assertDenied(String sql) {
        assertThatThrownBy(() -> {
                    try (var app = app()) {
                        app.createStatement().execute(sql);
                    }
                })
                .as("as %s: %s", Containers.APP_DB_USER, sql)
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(DENIED));
    }

    /** compose/db/ensure-roles.sh, the db service's health check, with these "login password" lines as its file. */
    private void ensureLogins(String lines) {
        stack.db.copyFileToContainer(Transferable.of(lines), "/run/stack-secrets/app-logins");
        Containers.ensureRoles(stack.db, Containers.DB_NAME);
    }

    @Test
    void aRotationMovesTheAppToItsSecondLoginWhichActsAsTheOwnerAndThenClosesTheFirst() throws Exception {
        String second = "taskmanager_app_2";
        String secondPassword = "second-login-password-0001";
        try {
            ensureLogins(Containers.APP_DB_USER + " " + Containers.APP_DB_PASSWORD + "\n" + second + " "
                    + secondPassword + "\n");
            try (var first = app();
                    var other = DriverManager.getConnection(stack.db.getJdbcUrl(), second, secondPassword)) {
                assertThat(strings(first, "SELECT current_user")).containsExactly(Containers.APP_DB_USER);
                assertThat(strings(other, "SELECT current_user || ' ' || session_user"))
                        .containsExactly(Containers.APP_DB_USER + " " + second);
                other.createStatement().execute("CREATE TABLE rotated_login_probe (id int)");
                assertThat(strings(other, "SELECT tableowner FROM pg_tables WHERE tablename = 'rotated_login_probe'"))
                        .as("what the second login creates belongs to the owner role")
                        .containsExactly(Containers.APP_DB_USER);
                assertThatThrownBy(() -> other.createStatement().execute("CREATE DATABASE stolen"))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e ->
                                assertThat(((SQLException) e).getSQLState()).isEqualTo(DENIED));
            }

            ensureLogins(second + " " + secondPassword + "\n");
            assertThatThrownBy(this::app)
                    .as("the first login, closed")
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
        } finally {
            ensureLogins(Containers.APP_DB_USER + " " + Containers.APP_DB_PASSWORD + "\n");
            try (var db = superuser()) {
                db.createStatement().execute("DROP TABLE IF EXISTS rotated_login_probe");
            }
        }
        assertThatThrownBy(() -> DriverManager.getConnection(stack.db.getJdbcUrl(), second, secondPassword)
                        .close())
                .as("the second login, closed when the file names the first alone")
                .isInstanceOf(SQLException.class);
    }

    /**
     * A health check that read the logins file just before a rotation rewrote it must not apply it after the
     * rotation's own run (it would open the login just closed): a run holds the script's lock from reading the file
     * to its end, and the next one waits for it. Here a holder keeps the lock for 2 s; the run ends after it.
     */
    @Test
    void aRunWaitsForTheRunInFlightBeforeItReadsTheFile() throws Exception {
        Containers.assertRunWaitsForItsLock(
                stack.db,
                "/var/run/postgresql/.ensure-roles.lock",
                "env POSTGRES_DB=" + Containers.DB_NAME + " bash " + Containers.StackPostgres.ROLES_SCRIPT);
    }

    @Test
    void theAppIsConnectedAsItsOwnRoleWhichOwnsEverythingItMigrated() throws Exception {
        try (var db = superuser()) {
            assertThat(strings(
                            db,
                            "SELECT DISTINCT usename FROM pg_stat_activity"
                                    + " WHERE application_name = 'taskmanager-it-roles'"))
                    .containsExactly(Containers.APP_DB_USER);
            assertThat(strings(
                            db,
                            "SELECT DISTINCT relowner::regrole::text FROM pg_class"
                                    + " WHERE relnamespace = 'public'::regnamespace"))
                    .containsExactly(Containers.APP_DB_USER);
            assertThat(strings(db, "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"))
                    .contains("tasks", "users", "flyway_schema_history");
            assertThat(strings(
                            db,
                            "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls"
                                    + " FROM pg_roles WHERE rolname = '" + Containers.APP_DB_USER + "'"))
                    .containsExactly("f");
        }
    }

    @Test
    void theAppRoleCannotCreateADatabaseNorReadPasswordsNorTouchAnotherSchema() throws Exception {
        try (var db = superuser()) {
            db.createStatement()
                    .execute("CREATE SCHEMA IF NOT EXISTS other;"
                            + " CREATE TABLE IF NOT EXISTS other.ledger (amount int);"
                            + " INSERT INTO other.ledger VALUES (1)");
        }
        assertDenied("CREATE DATABASE mine");
        assertDenied("SELECT rolpassword FROM pg_authid");
        assertDenied("DROP SCHEMA other CASCADE");
        assertDenied("DROP TABLE other.ledger");
        assertDenied("SELECT * FROM other.ledger");
        assertDenied("CREATE SCHEMA mine");
        assertDenied("CREATE ROLE mine LOGIN");
        assertDenied("ALTER ROLE " + Containers.APP_DB_USER + " SUPERUSER");
        try (var db = superuser()) {
            assertThat(strings(db, "SELECT count(*) FROM other.ledger")).containsExactly("1");
        }
        // its own schema is its own
        try (var app = app()) {
            app.createStatement().execute("CREATE TABLE scratch (n int); DROP TABLE scratch");
        }
    }

    @Test
    void neitherTheAppNorStackctlsRoleGetsIntoTheServerAnyOtherWay() {
        String otherDatabase = stack.db.getJdbcUrl().replace("/" + Containers.DB_NAME, "/postgres");
        assertThatThrownBy(() -> DriverManager.getConnection(
                                otherDatabase, Containers.APP_DB_USER, Containers.APP_DB_PASSWORD)
                        .close())
                .as("the app role connecting to the postgres database")
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(DENIED));
        // stackctl's role has no password: only the container's socket (docker exec) lets it in.
        for (String guess : List.of("", "stackctl_ops", Containers.DB_PASSWORD, Containers.APP_DB_PASSWORD)) {
            assertThatThrownBy(() -> DriverManager.getConnection(stack.db.getJdbcUrl(), "stackctl_ops", guess)
                            .close())
                    .as("stackctl_ops over the network with password '%s'", guess)
                    .isInstanceOf(SQLException.class);
        }
    }

    @Test
    void whatDriftsIsPutBackByTheNextRun() throws Exception {
        try (var db = superuser()) {
            db.createStatement()
                    .execute("CREATE TABLE public.hand_made (n serial); ALTER ROLE taskmanager_app PASSWORD 'changed'");
        }
        assertThatThrownBy(() -> app().close()).isInstanceOf(SQLException.class);

        Containers.ensureRoles(stack.db, Containers.DB_NAME);

        try (var app = app()) {
            assertThat(strings(app, "SELECT relowner::regrole::text FROM pg_class WHERE relname = 'hand_made'"))
                    .containsExactly(Containers.APP_DB_USER);
            app.createStatement().execute("DROP TABLE hand_made");
        }
    }
}
