package io.stackctl.taskmanager.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.taskmanager.http.AuthGate.Access;
import org.junit.jupiter.api.Test;

/** The gate classifies route templates (what Javalin matched), never a request's raw path. */
class AuthGateTest {

    @Test
    void everyTaskRouteAndMeNeedAToken() {
        for (String route : new String[] {"/tasks", "/tasks/{id}", "/auth/me"}) {
            assertThat(AuthGate.accessOf(route)).as(route).isEqualTo(Access.API);
        }
    }

    @Test
    void operatorRoutesAreOperatorOnly() {
        for (String route : new String[] {"/metrics", "/cache/stats", "/cache/clear"}) {
            assertThat(AuthGate.accessOf(route)).as(route).isEqualTo(Access.OPERATOR);
        }
    }

    @Test
    void aRouteTheTableDoesNotNameIsClosed() {
        for (String route : new String[] {"/admin", "/tasks/{id}/history", "/cache/anything", "", "/live/{x}"}) {
            assertThat(AuthGate.accessOf(route)).as(route).isEqualTo(Access.OPERATOR);
        }
    }

    @Test
    void thePageReadsItsSessionAndTheWayInIsOpen() {
        assertThat(AuthGate.accessOf("/")).isEqualTo(Access.PAGE);
        assertThat(AuthGate.accessOf("/ui/tasks/{id}/delete")).isEqualTo(Access.PAGE);
        for (String route : new String[] {"/auth/login", "/auth/register", "/health", "/ready", "/live"}) {
            assertThat(AuthGate.accessOf(route)).as(route).isEqualTo(Access.OPEN);
        }
    }
}
