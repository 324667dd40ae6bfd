package io.stackctl.taskmanager.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestLogPolicyTest {

    @Test
    void serverErrorsAndSlowRequestsAreAlwaysLoggedTheRestOneInEvery() {
        var policy = new RequestLogPolicy(100, 250);
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            reasons.add(policy.reason(200, 3.0));
        }

        assertThat(reasons.stream().filter("sample"::equals).count()).isEqualTo(10);
        assertThat(reasons.get(0)).isEqualTo("sample");
        assertThat(reasons.get(1)).isNull();
        assertThat(policy.reason(503, 1.0)).isEqualTo("error");
        assertThat(policy.reason(500, 1.0)).isEqualTo("error");
        assertThat(policy.reason(404, 250.0)).isEqualTo("slow");
        assertThat(policy.reason(200, 900.0)).isEqualTo("slow");
        assertThat(policy.reason(404, 2.0)).as("the 1001st ordinary request").isEqualTo("sample");
        assertThat(policy.reason(404, 2.0)).as("a client error is ordinary").isNull();
    }

    @Test
    void everyOneLogsEveryRequest() {
        var policy = new RequestLogPolicy(1, 250);
        for (int i = 0; i < 50; i++) {
            assertThat(policy.reason(200, 1.0)).isEqualTo("sample");
        }
    }

    @Test
    void aZeroRateIsRefused() {
        assertThatThrownBy(() -> new RequestLogPolicy(0, 250)).hasMessageContaining("at least 1");
    }
}
