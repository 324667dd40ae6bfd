package io.stackctl.taskmanager.http;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonBodyTest {

    @ParameterizedTest
    @ValueSource(
            strings = {"application/json", "application/json; charset=utf-8", "Application/JSON;charset=\"UTF-8\""})
    void acceptsJson(String contentType) {
        assertThatCode(() -> JsonBody.requireJsonContentType(contentType)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "text/plain",
                "application/x-www-form-urlencoded",
                "application/jsonp",
                "application/json; charset=latin1",
                " "
            })
    void refusesOtherTypesWith415(String contentType) {
        assertThatThrownBy(() -> JsonBody.requireJsonContentType(contentType))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> org.assertj.core.api.Assertions.assertThat(e.status())
                                .isEqualTo(415));
    }

    @Test
    void refusesAMissingContentType() {
        assertThatThrownBy(() -> JsonBody.requireJsonContentType(null))
                .isInstanceOf(ApiException.class)
                .hasMessage("unsupported content type");
    }
}
