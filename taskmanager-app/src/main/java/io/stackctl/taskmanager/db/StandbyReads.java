package io.stackctl.taskmanager.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads that may go to a standby (READS_FROM_STANDBY=on), each only when the standby has replayed every write that
 * committed before it began: the primary's WAL position is read first, and the standby serves the read only once
 * its replay has reached it. So nobody, the writer included, reads a list older than the writes acknowledged before
 * the request; and a list cached from a standby under the current generation holds every write before that
 * generation. A standby behind, gone, or not answering: the read goes to the primary, as without this.
 */
public final class StandbyReads implements AutoCloseable {

    /** A small pool: it serves list reads that missed the cache, and only while the standby keeps up. */
    static final int POOL_SIZE = 3;

    /** Hikari's least: a read that cannot have a standby connection at once goes to the primary instead. */
    static final long CONNECTION_WAIT_MS = 250;

    /** After a standby failed a read, this long on the primary alone before it is tried again. */
    static final Duration SKIP_AFTER_FAILURE = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(StandbyReads.class);

    /** One unit of work on a connection. */
    @FunctionalInterface
    public interface Read<T> {
        T on(Connection connection) throws SQLException;
    }

    /** Reads served by a standby, and reads sent to the primary because the standby was behind or failing. */
    public record Counts(long standby, long behind, long unavailable) {}

    private final DataSource primary;
    private final HikariDataSource standby;
    private final AtomicLong skipUntilNanos = new AtomicLong(System.nanoTime());
    private final LongAdder served = new LongAdder();
    private final LongAdder behind = new LongAdder();
    private final LongAdder unavailable = new LongAdder();

    private StandbyReads(DataSource primary, HikariDataSource standby) {
        this.primary = primary;
        this.standby = standby;
    }

    /** Off: every read goes to the primary. */
    public static StandbyReads off(DataSource primary) {
        return new StandbyReads(primary, null);
    }

    static StandbyReads on(DataSource primary, DatabaseSettings config, String standbyJdbcUrl) {
        var hikari = new HikariConfig();
        hikari.setPoolName("db-standby-" + config.instanceId());
        hikari.setJdbcUrl(standbyJdbcUrl);
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(POOL_SIZE);
        hikari.setMinimumIdle(POOL_SIZE);
        hikari.setConnectionTimeout(CONNECTION_WAIT_MS);
        hikari.setValidationTimeout(250);
        hikari.setReadOnly(true);
        hikari.addDataSourceProperty("ApplicationName", "taskmanager-" + config.instanceId() + "-reads");
        // Starts with or without a standby; one that comes later is found by the pool's own retries.
        hikari.setInitializationFailTimeout(-1);
        Database.requestBudget(hikari);
        return new StandbyReads(primary, new HikariDataSource(hikari));
    }

    public boolean enabled() {
        return standby != null;
    }

    /**
     * {@code read} on a standby that has caught up with the primary as of now; on the primary otherwise.
     */
    public <T> T read(Read<T> read) throws SQLException {
        if (standby != null && System.nanoTime() - skipUntilNanos.get() >= 0) {
            Optional<T> fromStandby = onStandby(read, primaryPosition());
            if (fromStandby.isPresent()) {
                return fromStandby.get();
            }
        }
        try (Connection connection = primary.getConnection()) {
            return read.on(connection);
        }
    }

    public Counts counts() {
        return new Counts(served.sum(), behind.sum(), unavailable.sum());
    }

    private String primaryPosition() throws SQLException {
        try (Connection connection = primary.getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            row.next();
            return row.getString(1);
        }
    }

    private <T> Optional<T> onStandby(Read<T> read, String position) {
        long start = System.nanoTime();
        try (Connection connection = standby.getConnection()) {
            boolean inRecovery;
            boolean caughtUp;
            try (PreparedStatement check = connection.prepareStatement(
                    "SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn() >= ?::pg_lsn, false)")) {
                check.setString(1, position);
                try (ResultSet row = check.executeQuery()) {
                    row.next();
                    inRecovery = row.getBoolean(1);
                    caughtUp = row.getBoolean(2);
                }
            }
            if (!inRecovery) {
                // Opened to the standby of its day, which a failover has since promoted: the pool's next connection
                // finds the node that is a standby now (targetServerType=secondary).
                standby.evictConnection(connection);
                unavailable.increment();
                return Optional.empty();
            }
            if (!caughtUp) {
                behind.increment();
                return Optional.empty();
            }
            // Replay only moves forward: the read's snapshot, taken after the check, holds all it was checked for.
            T result = read.on(connection);
            served.increment();
            return Optional.of(result);
        } catch (SQLException e) {
            unavailable.increment();
            skipUntilNanos.set(System.nanoTime() + SKIP_AFTER_FAILURE.toNanos());
            log.warn(
                    "a read on the standby failed; reads go to the primary for {} s: {}",
                    SKIP_AFTER_FAILURE.toSeconds(),
                    e.getMessage());
            return Optional.empty();
        } finally {
            DatabaseTime.count(start);
        }
    }

    @Override
    public void close() {
        if (standby != null) {
            standby.close();
        }
    }
}
