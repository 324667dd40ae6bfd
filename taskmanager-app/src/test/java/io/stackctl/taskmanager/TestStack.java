package io.stackctl.taskmanager;

import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** A real PostgreSQL and Redis with the API in-process in front of them, closed in reverse order. */
final class TestStack implements AutoCloseable {

    final PostgreSQLContainer db;
    final GenericContainer<?> redis;
    final TaskManagerApp app;
    /** Acts as the user {@code tester}, registered at start. */
    final Api api;
    /** Acts with the operator token, as stackctl does. */
    final Api ops;

    private TestStack(PostgreSQLContainer db, GenericContainer<?> redis, TaskManagerApp app) {
        this.db = db;
        this.redis = redis;
        this.app = app;
        this.api = new Api(app.port()).registerAndLogin("tester");
        this.ops = new Api(app.port()).withToken(Containers.OPS_TOKEN);
    }

    /** Ports: 0 for random; fixed for a container the test stops and starts again. */
    static TestStack start(String instance, int dbPort, int redisPort) {
        Containers.assumeDocker();
        var db = Containers.postgres(dbPort);
        var redis = Containers.redis(redisPort);
        // A fixed port was free when it was chosen, but Docker takes random host ports from the same range: bind
        // the fixed one first, or the other container may take it.
        for (GenericContainer<?> container : dbPort > 0 ? List.of(db, redis) : List.of(redis, db)) {
            container.start();
        }
        return new TestStack(db, redis, TaskManagerApp.start(Containers.appConfig(instance, db, redis)));
    }

    /** Safe on a stack that {@link #start} never returned (skipped tests). */
    static void close(TestStack stack) {
        if (stack != null) {
            stack.close();
        }
    }

    @Override
    public void close() {
        app.close();
        redis.stop();
        db.stop();
    }
}
