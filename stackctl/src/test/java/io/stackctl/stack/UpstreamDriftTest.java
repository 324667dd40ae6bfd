package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.engine.ServiceContainer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UpstreamDriftTest {

    static ServiceContainer replica(int number, String ip) {
        return new ServiceContainer(
                "id" + number,
                "taskmanager_app_" + number,
                "app",
                number,
                "running",
                Optional.of("healthy"),
                Optional.empty(),
                Map.of("taskmanager_frontend", ip));
    }

    @Test
    void anUpstreamThatMatchesTheReadyReplicasHasNoDrift() {
        var ready = List.of(replica(1, "172.20.0.3"), replica(2, "172.20.0.4"));

        assertThat(Stack.upstreamDrift(ready, List.of("172.20.0.4", "172.20.0.3")))
                .isEmpty();
    }

    @Test
    void aReplicaBackOnANewAddressIsMissingAndItsOldAddressIsDead() {
        var ready = List.of(replica(1, "172.20.0.9"), replica(2, "172.20.0.4"));

        assertThat(Stack.upstreamDrift(ready, List.of("172.20.0.3", "172.20.0.4")))
                .containsExactly(
                        "taskmanager_app_1 (172.20.0.9) is not in nginx's upstream",
                        "nginx's upstream lists 172.20.0.3, which no ready replica has");
    }

    @Test
    void theByHandDnsUpstreamCoversEveryReplica() {
        assertThat(Stack.upstreamDrift(List.of(replica(1, "172.20.0.3")), List.of("app")))
                .isEmpty();
    }
}
