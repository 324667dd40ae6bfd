package io.stackctl.taskmanager.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PostgreSQL connection pool, migrated at start. Timeouts are short on purpose: when the database is
 * gone a request must fail fast with 503 instead of hanging, and the pool reconnects by itself later.
 */
public final class Database implements AutoCloseable {

    /** Longest a request waits for a pooled connection before it gets 503. */
    static final long CONNECTION_WAIT_MS = 1_000;

    static final int CONNECT_TIMEOUT_S = 2;
    /**
     * The server cancels a statement after this long (the API's queries take milliseconds): a runaway query does not
     * hold a backend. A commit's wait for a synchronous standby is not a statement's time to the server, so {@link
     * CommitDeadline} cancels that one from here after as long. Both are shorter than {@link #SOCKET_TIMEOUT_S}, so
     * that the client reads the server's answer: for such a commit that is success with a warning, which {@link
     * UnconfirmedCommits} turns into a 503, on a connection that stays usable.
     */
    static final int STATEMENT_TIMEOUT_MS = 1_500;
    /**
     * The request budget: a request's database work ends within this (5 s is the longest a client, and a drill,
     * waits), with a 503 when the database does not answer. A query the server never answers (a network partition:
     * packets vanish, nothing fails) is given up this long after it was sent, also over TLS ({@link PromptCloseSocket}).
     */
    static final int SOCKET_TIMEOUT_S = 2;

    /** A cancel (its own connection) to a server that does not answer is given up after this, not pgjdbc's 10 s. */
    static final int CANCEL_SIGNAL_TIMEOUT_S = 1;

    static final int MIGRATION_CONNECT_RETRIES = 10;

    /** How long a hold waits for the transactions in flight to end (a statement ends within the request budget). */
    static final Duration DRAIN_HELD_WITHIN = Duration.ofSeconds(3);

    /** How long a reconnect waits for its new connections before it keeps the old pool. */
    static final Duration RECONNECT_READY_WITHIN = Duration.ofSeconds(20);

    static {
        // Hikari opens a pool's connections one at a time, except in a pool built with this property set and an
        // initializationFailTimeout above 1 ms: that one is filled by one thread per core before its constructor
        // returns. Only a reconnect's pool is built so (the first one starts at once, database or not), and through a
        // slow route that halves its wait: a connection took 1.2 s to open through drill db-latency's 200 ms proxy.
        System.setProperty("com.zaxxer.hikari.blockUntilFilled", "true");
    }

    private final DatabaseSettings config;
    private final HandoverDataSource pool;
    private volatile HandoverDataSource.Handover reconnectedWhileHeld;

    private final StandbyReads standbyReads;

    private Database(DatabaseSettings config, HandoverDataSource pool) {
        this.config = config;
        this.pool = pool;
        this.standbyReads = config.standbyJdbcUrl().isEmpty()
                ? StandbyReads.off(pool)
                : StandbyReads.on(pool, config, config.standbyJdbcUrl());
    }

    /** Opens the pool and applies pending migrations; Flyway's advisory lock makes concurrent starts safe. */
    public static Database open(DatabaseSettings config) {
        var pool = new HandoverDataSource(pool(config, -1));
        try {
            Flyway.configure()
                    .dataSource(migrationSource(config))
                    .connectRetries(MIGRATION_CONNECT_RETRIES)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(config, pool);
    }

    /**
     * Opens every connection again without failing a request (SIGHUP, as pgbouncer's RECONNECT): a new pool is
     * filled, takes the new borrowers, and the old one closes once idle. For a changed route to the database (a
     * drill's proxy in the path, a moved primary) that pooled connections would otherwise ignore for their lifetime.
     */
    public HandoverDataSource.Handover reconnect() throws InterruptedException {
        var handover = pool.handOver(() -> pool(config, RECONNECT_READY_WITHIN.toMillis()), RECONNECT_READY_WITHIN);
        if (handover.done() && held()) {
            reconnectedWhileHeld = handover;
        }
        return handover;
    }

    /**
     * A fixed-size pool (HikariCP's own advice): every connection is opened up front and kept, because one opened on
     * demand is opened while a request waits, and where the route to PostgreSQL is slow that takes longer than the
     * request may wait (1.2 s through a 200 ms link against {@link #CONNECTION_WAIT_MS}: drill db-latency's 503s).
     * stackctl's connection budget already grants every replica its whole pool.
     *
     * @param fillWithinMs below 0: return at once and connect in the background (the first pool: the app starts
     *     while PostgreSQL still comes up); above 0: open every connection before returning, or throw when not even
     *     one opened in this time
     */
    private static HikariDataSource pool(DatabaseSettings config, long fillWithinMs) {
        var hikari = new HikariConfig();
        hikari.setPoolName("db-" + config.instanceId());
        hikari.setJdbcUrl(config.jdbcUrl());
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(config.poolSize());
        hikari.setConnectionTimeout(CONNECTION_WAIT_MS);
        hikari.setValidationTimeout(500);
        // -1 for the first pool: start even while the database is still coming up; Flyway's retries decide when to
        // give up.
        hikari.setInitializationFailTimeout(fillWithinMs);
        // As text: Hikari hands these to the driver in a java.util.Properties, whose getProperty, which pgjdbc reads
        // them with, ignores any value that is not a String. Given as numbers they were silently dropped: no socket
        // timeout at all, and a query in flight when the network to PostgreSQL went dark hung until it came back
        // (drill db-partition: 6.7 s, then 201).
        requestBudget(hikari);
        hikari.addDataSourceProperty("ApplicationName", "taskmanager-" + config.instanceId());
        return new HikariDataSource(hikari);
    }

    /** The timeouts that keep a request's database work within its budget, for any pool of the app's. */
    static void requestBudget(HikariConfig hikari) {
        hikari.addDataSourceProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_S));
        hikari.addDataSourceProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_S));
        hikari.addDataSourceProperty("cancelSignalTimeout", Integer.toString(CANCEL_SIGNAL_TIMEOUT_S));
        hikari.addDataSourceProperty("options", "-c statement_timeout=" + STATEMENT_TIMEOUT_MS);
        hikari.addDataSourceProperty("socketFactory", PromptCloseSocket.Factory.class.getName());
    }

    /**
     * Migrations connect on their own, without the request budget's timeouts: a schema change on a large table may
     * rightly take minutes, and the pool's 900 ms statement timeout would fail every start.
     */
    private static DataSource migrationSource(DatabaseSettings config) {
        var source = new PGSimpleDataSource();
        source.setURL(config.jdbcUrl());
        source.setUser(config.user());
        source.setPassword(config.password());
        source.setConnectTimeout(CONNECT_TIMEOUT_S);
        source.setApplicationName("taskmanager-" + config.instanceId() + "-migrations");
        return source;
    }

    /**
     * Holds every new borrower (at most {@code max}) and waits, at most {@link #DRAIN_HELD_WITHIN}, for the
     * transactions in flight to end: the first step of a planned switchover. Returns how many are still in flight.
     */
    public int hold(Duration max) throws InterruptedException {
        reconnectedWhileHeld = null;
        pool.gate().hold(max);
        long deadline = System.nanoTime() + DRAIN_HELD_WITHIN.toNanos();
        while (stats().active() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return stats().active();
    }

    /**
     * The last step: every connection opened again (to the primary now, which the multi-host URL finds), then the
     * held borrowers let go. The gate opens even when the reconnect failed: they then meet the database as it is. A
     * reconnect done since the hold (while the switchover waited for the old primary to rejoin) is not done twice.
     */
    public HandoverDataSource.Handover resume() throws InterruptedException {
        try {
            var done = reconnectedWhileHeld;
            return done != null ? done : reconnect();
        } finally {
            reconnectedWhileHeld = null;
            pool.gate().open();
        }
    }

    public boolean held() {
        return pool.gate().held();
    }

    public DataSource dataSource() {
        return pool;
    }

    /** Where list reads go: a standby that has caught up when READS_FROM_STANDBY=on, else the primary. */
    public StandbyReads standbyReads() {
        return standbyReads;
    }

    /** Round trip to the database; returns its duration in milliseconds or throws. */
    public double ping() throws SQLException {
        long start = System.nanoTime();
        try (Connection connection = pool.getConnection()) {
            if (!connection.isValid(1)) {
                throw new SQLException("connection did not validate within 1 s", "08006");
            }
        }
        return (System.nanoTime() - start) / (double) TimeUnit.MILLISECONDS.toNanos(1);
    }

    public PoolStats stats() {
        HikariDataSource current = pool.current();
        HikariPoolMXBean bean = current.getHikariPoolMXBean();
        if (bean == null) {
            return new PoolStats(0, 0, 0, current.getMaximumPoolSize());
        }
        return new PoolStats(
                bean.getActiveConnections(),
                bean.getIdleConnections(),
                bean.getThreadsAwaitingConnection(),
                current.getMaximumPoolSize());
    }

    @Override
    public void close() {
        standbyReads.close();
        pool.close();
    }

    /** Live pool usage, for /health and /metrics. */
    public record PoolStats(int active, int idle, int waiting, int max) {}
}
