package io.stackctl.taskmanager.db;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.Set;

/**
 * Turns a commit that no synchronous standby confirmed into a failure. PostgreSQL answers a commit whose wait for the
 * standby was cancelled ({@link CommitDeadline}, while no standby answers) with success and a warning, "the transaction
 * has already committed locally, but might not have been replicated to the standby": a client told 201 then would
 * lose that write with the primary's disk. So every statement's and every commit's warnings are read, and that one
 * becomes SQLState 08007 (transaction resolution unknown), a 503: the client retries (with its Idempotency-Key) and
 * nothing is acknowledged that only one disk holds.
 */
final class UnconfirmedCommits {

    /** The words of PostgreSQL's warning (lc_messages C, the image's). */
    static final String MARK = "synchronous replication";

    static final String STATE = "08007";

    private static final Set<String> EXECUTIONS =
            Set.of("execute", "executeQuery", "executeUpdate", "executeLargeUpdate", "executeBatch");

    private UnconfirmedCommits() {}

    /** {@code connection}, with its statements and commits checked, and each write's commit bounded. */
    static Connection guard(Connection connection) {
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                new Guard(connection, connection));
    }

    /** Throws when {@code warning} (or one chained to it) says a commit was not confirmed by the standby. */
    static void check(SQLWarning warning) throws SQLException {
        for (SQLWarning w = warning; w != null; w = w.getNextWarning()) {
            if (w.getMessage() != null && w.getMessage().contains(MARK)) {
                throw new SQLException(
                        "the commit was not confirmed by a synchronous standby (" + w.getMessage() + ")", STATE, w);
            }
        }
    }

    /**
     * @param target the connection itself, or one of its statements
     * @param connection the connection, which a commit's deadline cancels
     */
    private record Guard(Object target, Connection connection) implements InvocationHandler {

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            boolean isConnection = target == connection;
            // A commit, or a statement that commits by itself: either may wait for a synchronous standby.
            boolean commits =
                    isConnection ? name.equals("commit") : EXECUTIONS.contains(name) && connection.getAutoCommit();
            Object result;
            try (var deadline = commits ? CommitDeadline.start(connection) : null) {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (isConnection) {
                if (name.equals("commit")) {
                    check(connection.getWarnings());
                } else if (result instanceof Statement statement) {
                    Class<?> type = method.getReturnType();
                    return Proxy.newProxyInstance(
                            type.getClassLoader(), new Class<?>[] {type}, new Guard(statement, connection));
                }
            } else if (EXECUTIONS.contains(name)) {
                check(((Statement) target).getWarnings());
            }
            return result;
        }
    }
}
