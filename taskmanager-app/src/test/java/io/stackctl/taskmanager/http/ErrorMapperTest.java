package io.stackctl.taskmanager.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class ErrorMapperTest {

    @Test
    void poolTimeoutMeansUnavailable() {
        assertThat(ErrorMapper.isUnavailable(new SQLTransientConnectionException("pool timeout")))
                .isTrue();
    }

    @Test
    void connectionAndShutdownStatesMeanUnavailable() {
        assertThat(ErrorMapper.isUnavailable(new SQLException("refused", "08001")))
                .isTrue();
        assertThat(ErrorMapper.isUnavailable(new SQLException("admin shutdown", "57P01")))
                .isTrue();
        assertThat(ErrorMapper.isUnavailable(new SQLException("statement timeout", "57014")))
                .isTrue();
        assertThat(ErrorMapper.isUnavailable(
                        new SQLException("cannot execute INSERT in a read-only transaction", "25006")))
                .as("a write that reached a standby while a failover moved the primary")
                .isTrue();
    }

    @Test
    void aBrokenQueryIsNotUnavailability() {
        assertThat(ErrorMapper.isUnavailable(new SQLException("syntax error", "42601")))
                .isFalse();
        assertThat(ErrorMapper.isUnavailable(new SQLException("check violation", "23514")))
                .isFalse();
    }

    @Test
    void aPoolWithEveryConnectionInUseIsToldFromADatabaseThatDidNotAnswer() {
        assertThat(ErrorMapper.unavailableDetail(new SQLTransientConnectionException(
                        "db - Connection is not available, request timed out after 1000ms (total=10, active=10)")))
                .startsWith("every database connection of this replica stayed in use");
        assertThat(ErrorMapper.unavailableDetail(new SQLException("statement timeout", "57014")))
                .startsWith("the database did not answer in time");
    }

    @Test
    void aFullDiskIsUnavailabilityThatSaysSo() {
        var full = new SQLException("could not extend file \"base/16384/16409\": No space left on device", "53100");
        assertThat(ErrorMapper.isUnavailable(full)).isTrue();
        assertThat(ErrorMapper.unavailableDetail(full)).startsWith("the database's disk is full");
    }

    @Test
    void aPoolThatCannotConnectSaysTheDatabaseDidNotAnswer() throws SQLException {
        var config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/nothing");
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(250);
        try (var pool = new com.zaxxer.hikari.HikariDataSource(config)) {
            // Hikari names the refused connect as the wait's cause once its adder thread has tried it: within one
            // 250 ms wait on an idle host, not always on a busy one (CI run 43, tests beside the end-to-end scenario:
            // no cause yet, so the answer was a busy pool's). Asked again until it has tried, 5 s at most.
            SQLTransientConnectionException timeout = timeoutOf(pool);
            for (int i = 1; i < 20 && timeout.getCause() == null; i++) {
                timeout = timeoutOf(pool);
            }
            assertThat(timeout.getCause())
                    .as("the failed connect, named by the wait")
                    .isNotNull();
            assertThat(ErrorMapper.unavailableDetail(timeout)).startsWith("the database did not answer in time");
        }
    }

    private static SQLTransientConnectionException timeoutOf(javax.sql.DataSource pool) throws SQLException {
        try (var connection = pool.getConnection()) {
            throw new AssertionError("a pool of an address nothing listens on gave a connection: " + connection);
        } catch (SQLTransientConnectionException e) {
            return e;
        }
    }
}
