package io.stackctl.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** Three replicas starting at once against one fresh database migrate it exactly once. */
class ConcurrentMigrationIT {

    @Test
    void threeInstancesMigrateOneFreshDatabaseAtOnce() throws Exception {
        Containers.assumeDocker();
        try (PostgreSQLContainer db = Containers.postgres(0);
                GenericContainer<?> redis = Containers.redis(0)) {
            db.start();
            redis.start();
            var barrier = new CyclicBarrier(3);
            List<CompletableFuture<TaskManagerApp>> starts = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                var config = Containers.appConfig("it-migrate-" + i, db, redis);
                starts.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        barrier.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return TaskManagerApp.start(config);
                }));
            }
            List<TaskManagerApp> apps = new ArrayList<>();
            try {
                for (var start : starts) {
                    apps.add(start.get());
                }
                for (var app : apps) {
                    assertThat(new Api(app.port()).get("/ready").statusCode()).isEqualTo(200);
                }
                var alice = new Api(apps.get(0).port()).registerAndLogin("alice");
                long id = alice.create("seen by all");
                for (var app : apps) {
                    // one secret for every replica: a token from one is good at the others
                    assertThat(new Api(app.port())
                                    .withToken(alice.token())
                                    .get("/tasks/" + id)
                                    .statusCode())
                            .isEqualTo(200);
                }
                try (var connection = DriverManager.getConnection(
                                db.getJdbcUrl(), Containers.DB_USER, Containers.DB_PASSWORD);
                        var rows = connection
                                .createStatement()
                                .executeQuery(
                                        "SELECT count(*) FROM flyway_schema_history WHERE version = '1' AND success")) {
                    rows.next();
                    assertThat(rows.getInt(1)).as("V1 applied exactly once").isEqualTo(1);
                }
                try (var connection = DriverManager.getConnection(
                                db.getJdbcUrl(), Containers.DB_USER, Containers.DB_PASSWORD);
                        var rows = connection
                                .createStatement()
                                .executeQuery("SELECT count(*) FROM users WHERE role = 'admin'")) {
                    rows.next();
                    assertThat(rows.getInt(1))
                            .as("three replicas starting at once make one admin")
                            .isEqualTo(1);
                }
            } finally {
                apps.forEach(TaskManagerApp::close);
            }
        }
    }
}
