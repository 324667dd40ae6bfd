package io.stackctl.taskmanager;

import io.stackctl.taskmanager.auth.Accounts;
import io.stackctl.taskmanager.auth.KeyRingSource;
import io.stackctl.taskmanager.auth.PasswordHasher;
import io.stackctl.taskmanager.auth.UserRepository;
import io.stackctl.taskmanager.cache.TaskCache;
import io.stackctl.taskmanager.db.Database;
import io.stackctl.taskmanager.db.HandoverDataSource;
import io.stackctl.taskmanager.http.HttpServer;
import io.stackctl.taskmanager.http.RequestLogPolicy;
import java.sql.SQLException;

/** The running API: database pool, cache and HTTP server, started and stopped in the right order. */
public final class TaskManagerApp implements AutoCloseable {

    private final Database database;
    private final TaskCache cache;
    private final HttpServer server;
    private final KeyRingSource keys;

    private TaskManagerApp(Database database, TaskCache cache, HttpServer server, KeyRingSource keys) {
        this.database = database;
        this.cache = cache;
        this.server = server;
        this.keys = keys;
    }

    /** Migrates the database, then serves on {@code config.port()} (0 picks a free port, for tests). */
    public static TaskManagerApp start(AppConfig config) {
        KeyRingSource keys = config.auth().keyRing();
        Database database = Database.open(config.database());
        TaskCache cache = new TaskCache(config.cache());
        try {
            var accounts = new Accounts(new UserRepository(database.dataSource()), new PasswordHasher(), config.auth());
            accounts.ensureAdmin();
            HttpServer server = new HttpServer(
                            config.instanceId(),
                            database,
                            cache,
                            new RequestLogPolicy(config.requestLogEvery(), config.requestLogSlowMs()),
                            config.auth(),
                            keys,
                            accounts,
                            config.injectedErrors())
                    .start(config.port());
            return new TaskManagerApp(database, cache, server, keys);
        } catch (SQLException e) {
            keys.close();
            cache.close();
            database.close();
            throw new IllegalStateException("could not set up the admin account: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            keys.close();
            cache.close();
            database.close();
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    /** The routes the server serves, as {@code GET /tasks/{id}}. */
    public java.util.List<String> routes() {
        return server.routes();
    }

    /**
     * Every connection to Redis and PostgreSQL opened again, with no request failed (see {@link Database#reconnect()}):
     * what SIGHUP does. Each new pool opens its connections before it takes over.
     */
    public Reconnected reconnect() throws InterruptedException {
        int cacheConnections = cache.reconnect();
        return new Reconnected(cacheConnections, database.reconnect());
    }

    /** What a reconnect did: the Redis connections opened before its new pool took over, and the database's handover. */
    public record Reconnected(int cacheConnections, HandoverDataSource.Handover database) {}

    /** Graceful: in-flight requests finish before the pools close. */
    @Override
    public void close() {
        server.stop();
        keys.close();
        cache.close();
        database.close();
    }
}
