package io.stackctl.taskmanager.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class InjectedErrorsTest {

    private static long failuresIn(InjectedErrors fault, int requests) {
        return IntStream.range(0, requests).filter(i -> fault.failsNext()).count();
    }

    @Test
    void failsExactlyTheShareItNamesWhateverTheCount() {
        assertThat(failuresIn(InjectedErrors.parse("5% GET /tasks/{id}"), 400)).isEqualTo(20);
        assertThat(failuresIn(InjectedErrors.parse("5% GET /tasks/{id}"), 19)).isZero();
        assertThat(failuresIn(InjectedErrors.parse("2.5% POST /tasks"), 400)).isEqualTo(10);
        assertThat(failuresIn(InjectedErrors.parse("100% GET /tasks"), 7)).isEqualTo(7);
        assertThat(InjectedErrors.parse("5% GET /tasks/{id}").describe()).isEqualTo("5% of GET /tasks/{id}");
        assertThat(InjectedErrors.parse("")).isNull();
        assertThat(io.stackctl.taskmanager.AppConfig.fromEnvironment(
                                java.util.Map.of("INJECT_ERRORS", "", "AUTH_MODE", "off"))
                        .injectedErrors())
                .as("set but empty, as compose passes it when compose/.env has none")
                .isNull();
    }

    @Test
    void refusesASpecItCannotReadNamingTheForm() {
        assertThatThrownBy(() -> InjectedErrors.parse("5 GET /tasks"))
                .hasMessageContaining("INJECT_ERRORS is '5 GET /tasks'; the form is PERCENT% METHOD ROUTE");
        assertThatThrownBy(() -> InjectedErrors.parse("0% GET /tasks")).hasMessageContaining("above 0");
        assertThatThrownBy(() -> InjectedErrors.parse("101% GET /tasks")).hasMessageContaining("at most 100");
        assertThatThrownBy(() -> InjectedErrors.parse("5% FETCH /tasks")).hasMessageContaining("method FETCH");
    }
}
