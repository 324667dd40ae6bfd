package io.stackctl.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** Stopping the API lets a request that is already running finish with its answer. */
class GracefulShutdownIT {

    @Test
    void anInFlightWriteCompletesWhileTheServerStops() throws Exception {
        Containers.assumeDocker();
        try (PostgreSQLContainer db = Containers.postgres(0);
                GenericContainer<?> redis = Containers.redis(0)) {
            db.start();
            redis.start();
            TaskManagerApp app = TaskManagerApp.start(Containers.appConfig("it-graceful", db, redis));
            var api = new Api(app.port()).registerAndLogin("graceful");
            long id = api.create("held by a lock");

            try (Connection lock =
                    DriverManager.getConnection(db.getJdbcUrl(), Containers.DB_USER, Containers.DB_PASSWORD)) {
                lock.setAutoCommit(false);
                lock.createStatement().execute("SELECT * FROM tasks WHERE id = " + id + " FOR UPDATE");

                var inFlight =
                        CompletableFuture.supplyAsync(() -> api.put("/tasks/" + id, "{\"status\":\"completed\"}"));
                Eventually.within(Duration.ofSeconds(5), "the PUT waits on the row lock", () -> waitingOnLock(db));
                var stopping = CompletableFuture.runAsync(app::close);
                Thread.sleep(500);
                assertThat(stopping).as("stop waits for the in-flight request").isNotDone();

                lock.commit();

                var response = inFlight.get(10, TimeUnit.SECONDS);
                assertThat(response.statusCode()).isEqualTo(200);
                stopping.get(10, TimeUnit.SECONDS);
            }
            assertThatThrownBy(() -> api.get("/live"))
                    .as("a stopped server accepts nothing")
                    .isInstanceOf(RuntimeException.class);
        }
    }

    private static boolean waitingOnLock(PostgreSQLContainer db) {
        try (Connection connection =
                        DriverManager.getConnection(db.getJdbcUrl(), Containers.DB_USER, Containers.DB_PASSWORD);
                var rows = connection
                        .createStatement()
                        .executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")) {
            rows.next();
            return rows.getInt(1) > 0;
        } catch (Exception e) {
            return false;
        }
    }
}
