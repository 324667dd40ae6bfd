package io.stackctl.taskmanager.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.taskmanager.http.AuthGate.Access;
import org.junit.jupiter.api.Test;

class AuthGateTest {

    @Test
    void everyTaskRouteAndMeNeedAToken() {
        for (String path : new String[] {"/tasks", "/tasks/1", "/tasks/abc", "/auth/me"}) {
            assertThat(AuthGate.accessOf(path)).as(path).isEqualTo(Access.API);
        }
    }

    @Test
    void operatorRoutesAreOperatorOnly() {
        for (String path : new String[] {"/metrics", "/cache/stats", "/cache/clear", "/cache/anything"}) {
            assertThat(AuthGate.accessOf(path)).as(path).isEqualTo(Access.OPERATOR);
        }
    }

    @Test
    void thePageReadsItsSessionAndTheWayInIsOpen() {
        assertThat(AuthGate.accessOf("/")).isEqualTo(Access.PAGE);
        assertThat(AuthGate.accessOf("/ui/tasks/3/delete")).isEqualTo(Access.PAGE);
        for (String path : new String[] {"/auth/login", "/auth/register", "/health", "/ready", "/live"}) {
            assertThat(AuthGate.accessOf(path)).as(path).isEqualTo(Access.OPEN);
        }
    }
}
