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
}
