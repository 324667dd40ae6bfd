package io.stackctl.taskmanager.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.taskmanager.Containers;
import io.stackctl.taskmanager.cache.CacheSettings;
import io.stackctl.taskmanager.cache.CacheUnavailableException;
import io.stackctl.taskmanager.cache.TaskCache;
import io.stackctl.taskmanager.db.Database;
import io.stackctl.taskmanager.db.DatabaseSettings;
import io.stackctl.taskmanager.db.TaskRepository;
import io.stackctl.taskmanager.http.Json;
import io.stackctl.taskmanager.task.NewTask;
import io.stackctl.taskmanager.task.Scope;
import io.stackctl.taskmanager.task.TaskPatch;
import io.stackctl.taskmanager.task.TaskQuery;
import io.stackctl.taskmanager.task.TaskStatus;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The single flight's rules, with a database read held open after it ran (its rows are those of that moment): reads
 * that arrive meanwhile share it, but a read that begins after a write never does, and the held read may not store
 * what it read once the task changed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TaskServiceFlightIT {

    private static final Scope OWNER = Scope.own(1); // the default user every database has

    private PostgreSQLContainer db;
    private GenericContainer<?> redis;
    private Database database;
    private TaskCache cache;
    private HeldQuery held;
    private TaskService service;
    private final ExecutorService readers = Executors.newCachedThreadPool();

    @BeforeAll
    void start() {
        Containers.assumeDocker();
        db = Containers.postgres(0);
        redis = Containers.redis(0);
        db.start();
        redis.start();
        database = Database.open(new DatabaseSettings(
                "it-flight", db.getJdbcUrl(), Containers.APP_DB_USER, Containers.APP_DB_PASSWORD, 8));
        cache = new TaskCache(new CacheSettings(
                "it-flight",
                redis.getHost(),
                redis.getMappedPort(6379),
                Containers.REDIS_USER,
                Containers.REDIS_PASSWORD,
                60));
        held = new HeldQuery(database.dataSource());
        service = new TaskService(new TaskRepository(held.dataSource()), cache, new CachedForms(Json.mapper()));
    }

    @AfterAll
    void stop() throws InterruptedException {
        readers.shutdownNow();
        readers.awaitTermination(10, TimeUnit.SECONDS);
        if (cache != null) {
            cache.close();
        }
        if (database != null) {
            database.close();
        }
        if (redis != null) {
            redis.stop();
        }
        if (db != null) {
            db.stop();
        }
    }

    /**
     * Through the cache's breaker, which a CPU-starved host (CI runs the e2e beside these tests) may have opened with
     * slow calls: the single flight is what is tested here, so wait out its open state (1 s) rather than fail on it.
     */
    @BeforeEach
    void emptyCache() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                cache.clear();
                return;
            } catch (CacheUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    @Test
    void readsArrivingWhileOneLoadsShareItsOneQuery() throws Exception {
        long id = service.create(OWNER, new NewTask("read by five", null, TaskStatus.PENDING))
                .id();
        long before = service.loadCounts().loads();
        var first = held.holdNext(() -> service.read(OWNER, id));
        List<Future<Optional<TaskService.Read>>> others = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            others.add(readers.submit(() -> service.read(OWNER, id)));
        }
        awaitShared(4);
        held.release();

        assertThat(title(first.get(10, TimeUnit.SECONDS))).isEqualTo("read by five");
        for (var other : others) {
            assertThat(title(other.get(10, TimeUnit.SECONDS))).isEqualTo("read by five");
        }
        assertThat(service.loadCounts().loads() - before)
                .as("queries for five reads")
                .isEqualTo(1);
    }

    @Test
    void aTaskReadBegunAfterAWriteNeverSharesNorIsOverwrittenByOneBegunBefore() throws Exception {
        long id = service.create(OWNER, new NewTask("before", null, TaskStatus.PENDING))
                .id();
        var early = held.holdNext(() -> service.read(OWNER, id)); // read "before", now held

        service.update(OWNER, id, new TaskPatch(Optional.of("after"), Optional.empty(), false, Optional.empty()));
        var late = readers.submit(() -> service.read(OWNER, id));
        assertThat(title(late.get(10, TimeUnit.SECONDS)))
                .as("a read begun after the write answers on its own, with the write")
                .isEqualTo("after");

        held.release();
        assertThat(title(early.get(10, TimeUnit.SECONDS)))
                .as("the held read began before the write")
                .isEqualTo("before");
        var next = service.read(OWNER, id).orElseThrow();
        assertThat(new String(next.json(), StandardCharsets.UTF_8))
                .as("the held read came back after the write and did not store its older task")
                .contains("\"title\":\"after\"");
        assertThat(next.fromCache()).isTrue();
    }

    @Test
    void aListReadBegunAfterACreateNeverSharesOneBegunBefore() throws Exception {
        var query = new TaskQuery(Optional.empty(), 1000, 0);
        service.create(OWNER, new NewTask("listed first", null, TaskStatus.PENDING));
        var early = held.holdNext(() -> service.list(OWNER, query));

        service.create(OWNER, new NewTask("listed second", null, TaskStatus.PENDING));
        var late = readers.submit(() -> service.list(OWNER, query));
        assertThat(new String(late.get(10, TimeUnit.SECONDS).json(), StandardCharsets.UTF_8))
                .contains("listed second");

        held.release();
        assertThat(new String(early.get(10, TimeUnit.SECONDS).json(), StandardCharsets.UTF_8))
                .contains("listed first")
                .doesNotContain("listed second");
        assertThat(new String(service.list(OWNER, query).json(), StandardCharsets.UTF_8))
                .contains("listed second");
    }

    private void awaitShared(long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long start = service.loadCounts().shared();
        while (service.loadCounts().shared() - start < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static String title(Optional<TaskService.Read> read) throws Exception {
        return Json.mapper().readTree(read.orElseThrow().json()).get("title").asText();
    }

    /** A DataSource whose next query, once armed, holds its thread after it ran until released. */
    private final class HeldQuery {

        @FunctionalInterface
        interface Call<T> {
            T call() throws Exception;
        }

        private final DataSource target;
        private final AtomicBoolean armed = new AtomicBoolean();
        private volatile CountDownLatch reached = new CountDownLatch(1);
        private volatile CountDownLatch released = new CountDownLatch(1);

        HeldQuery(DataSource target) {
            this.target = target;
        }

        /** Runs {@code call} on a reader thread and returns once its query ran and is held. */
        <T> Future<T> holdNext(Call<T> call) throws InterruptedException {
            reached = new CountDownLatch(1);
            released = new CountDownLatch(1);
            armed.set(true);
            Future<T> future = readers.submit(call::call);
            assertThat(reached.await(10, TimeUnit.SECONDS))
                    .as("the read reached the database")
                    .isTrue();
            return future;
        }

        void release() {
            released.countDown();
        }

        DataSource dataSource() {
            return proxy(
                    DataSource.class,
                    target,
                    (method, result) -> method.equals("getConnection")
                            ? proxy(
                                    Connection.class,
                                    result,
                                    (inner, statement) -> inner.equals("prepareStatement")
                                            ? proxy(PreparedStatement.class, statement, (call, rows) -> {
                                                if (call.equals("executeQuery") && armed.compareAndSet(true, false)) {
                                                    reached.countDown();
                                                    try {
                                                        released.await(30, TimeUnit.SECONDS);
                                                    } catch (InterruptedException e) {
                                                        Thread.currentThread().interrupt();
                                                    }
                                                }
                                                return rows;
                                            })
                                            : statement)
                            : result);
        }
    }

    @FunctionalInterface
    private interface After {
        Object apply(String method, Object result);
    }

    private static <T> T proxy(Class<T> type, Object target, After after) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            try {
                return after.apply(method.getName(), method.invoke(target, args));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }
}
