package io.stackctl.taskmanager.db;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The time the request being served spent on PostgreSQL: from asking a pool for a connection until giving it back,
 * summed over its connections (a request is served on one thread, and every pool of the app's goes through here).
 * The API reports it as {@code Server-Timing: db}, so a client can tell an answer that needed the database from one
 * that did not by what the app did, not by a latency a busy host's scheduler also moves: stackctl's db-latency drill
 * judges its cached reads so (a p99 of them went from 63 to 751 ms with four processes burning the host's two cores).
 */
public final class DatabaseTime {

    @FunctionalInterface
    interface ConnectionSource {
        Connection get() throws SQLException;
    }

    private static final class Spent {
        long nanos;
        int borrows;
    }

    private static final ThreadLocal<Spent> SPENT = ThreadLocal.withInitial(Spent::new);

    private DatabaseTime() {}

    /** Starts a request's count at zero (threads serve one request after another). */
    public static void reset() {
        Spent spent = SPENT.get();
        spent.nanos = 0;
        spent.borrows = 0;
    }

    /** Whether the request asked for a database connection at all. */
    public static boolean used() {
        return SPENT.get().borrows > 0;
    }

    /** Milliseconds, with microseconds: the wait for connections included. */
    public static double spentMs() {
        return SPENT.get().nanos / 1_000_000.0;
    }

    /** A connection from {@code source}, counted from now until it is closed (also the wait, when none came). */
    static Connection borrow(ConnectionSource source) throws SQLException {
        long start = System.nanoTime();
        Spent spent = SPENT.get();
        spent.borrows++;
        Connection connection;
        try {
            connection = source.get();
        } catch (SQLException | RuntimeException e) {
            spent.nanos += System.nanoTime() - start;
            throw e;
        }
        return counted(connection, spent, start);
    }

    /**
     * Counts a connection its caller borrowed and gave back itself, from {@code startNanos} until now: one whose pool
     * must see its own (Hikari's evictConnection ignores any other).
     */
    static void count(long startNanos) {
        Spent spent = SPENT.get();
        spent.borrows++;
        spent.nanos += System.nanoTime() - startNanos;
    }

    private static Connection counted(Connection connection, Spent spent, long start) {
        boolean[] closed = {false};
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        if (method.getName().equals("close") && !closed[0]) {
                            closed[0] = true;
                            spent.nanos += System.nanoTime() - start;
                        }
                    }
                });
    }
}
