package io.stackctl.taskmanager.db;

import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A connection pool that can be replaced under load without failing a request, as pgbouncer's RECONNECT does: a new
 * pool is opened and filled first, new borrowers get it, and the old one is closed only once its last borrowed
 * connection came back. What it is for: every connection opened again (through a new route to the database, a moved
 * primary, rotated credentials) while the pool keeps serving.
 */
public final class HandoverDataSource implements DataSource {

    /** A statement ends within the request budget (5 s); the old pool's borrowers are given twice that to finish. */
    static final Duration DRAIN_WITHIN = Duration.ofSeconds(10);

    private volatile HikariDataSource current;
    private final ConnectionGate gate = new ConnectionGate();

    HandoverDataSource(HikariDataSource first) {
        this.current = first;
    }

    HikariDataSource current() {
        return current;
    }

    /**
     * Opens a pool from {@code next} (which opens its connections before it returns, or throws when it cannot), waits
     * (at most {@code readyWithin}) until all of them are open, hands the new pool to every later borrower, then
     * closes the old one once its borrowers are done. A pool that cannot connect in time is closed and the old one
     * kept: a handover never leaves the app with less than it had.
     */
    synchronized Handover handOver(Supplier<HikariDataSource> next, Duration readyWithin) throws InterruptedException {
        long start = System.nanoTime();
        HikariDataSource old = current;
        HikariDataSource fresh;
        try {
            fresh = next.get();
        } catch (RuntimeException e) { // Hikari's PoolInitializationException: not one connection opened in time
            return new Handover(false, 0, elapsedMs(start), 0);
        }
        int warm = fresh.getMinimumIdle();
        long deadline = start + readyWithin.toNanos();
        while (idle(fresh) < warm) {
            if (System.nanoTime() > deadline) {
                int opened = idle(fresh);
                fresh.close();
                return new Handover(false, opened, elapsedMs(start), 0);
            }
            Thread.sleep(20);
        }
        long readyMs = elapsedMs(start);
        current = fresh;
        long drainStart = System.nanoTime();
        long drainDeadline = drainStart + DRAIN_WITHIN.toNanos();
        while (active(old) > 0 && System.nanoTime() < drainDeadline) {
            Thread.sleep(20);
        }
        old.close(); // past the bound Hikari aborts what is still borrowed: a statement that outlived any budget
        return new Handover(true, warm, readyMs, elapsedMs(drainStart));
    }

    /**
     * What a handover did: whether the new pool took over, with how many connections, how long it took to open them,
     * and the old pool to drain.
     */
    public record Handover(boolean done, int connections, long readyMs, long drainedMs) {}

    void close() {
        current.close();
    }

    private static int idle(HikariDataSource pool) {
        var bean = pool.getHikariPoolMXBean();
        return bean == null ? 0 : bean.getIdleConnections();
    }

    private static int total(HikariDataSource pool) {
        var bean = pool.getHikariPoolMXBean();
        return bean == null ? 0 : bean.getTotalConnections();
    }

    private static int active(HikariDataSource pool) {
        var bean = pool.getHikariPoolMXBean();
        return bean == null ? 0 : bean.getActiveConnections();
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    ConnectionGate gate() {
        return gate;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return DatabaseTime.borrow(() -> {
            gate.pass();
            return UnconfirmedCommits.guard(current.getConnection());
        });
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return DatabaseTime.borrow(() -> {
            gate.pass();
            return UnconfirmedCommits.guard(current.getConnection(username, password));
        });
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return current.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        current.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        current.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return current.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return current.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return current.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || current.isWrapperFor(iface);
    }
}
