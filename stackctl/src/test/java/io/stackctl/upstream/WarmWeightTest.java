package io.stackctl.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.engine.ServiceContainer;
import io.stackctl.fakes.RecordingEngine;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replica gets the stack's full CPU weight once it has run long enough to be warm, once. */
class WarmWeightTest {

    @TempDir
    Path upstreamDir;

    private static final Instant NOW = Instant.parse("2026-12-06T08:00:00Z");

    private static ServiceContainer replica(int number, String state, Optional<Instant> startedAt) {
        return new ServiceContainer(
                "abc" + number,
                "shop_app_" + number,
                "app",
                number,
                state,
                Optional.of("healthy"),
                startedAt,
                Map.of());
    }

    @Test
    void onlyReplicasRunningForTheWarmUpGetTheServingWeightAndEachOnce() {
        var engine = new RecordingEngine("shop");
        var sync = new UpstreamSync(engine, "shop", upstreamDir);
        var warm = replica(1, "running", Optional.of(NOW.minus(UpstreamSync.WARM_AFTER)));
        var starting = replica(2, "running", Optional.of(NOW.minusSeconds(59)));
        var stopped = replica(3, "exited", Optional.of(NOW.minusSeconds(600)));
        var unknown = replica(4, "running", Optional.empty());

        sync.weighWarm(List.of(warm, starting, stopped, unknown), NOW);
        sync.weighWarm(List.of(warm, starting, stopped, unknown), NOW.plusSeconds(2));

        assertThat(engine.log).containsExactly("cpu-shares abc1 1024", "cpu-shares abc2 1024");
    }

    @Test
    void aReplicaGoneAndBackUnderTheSameIdIsWeighedAgain() {
        var engine = new RecordingEngine("shop");
        var sync = new UpstreamSync(engine, "shop", upstreamDir);
        var warm = replica(1, "running", Optional.of(NOW.minusSeconds(120)));

        sync.weighWarm(List.of(warm), NOW);
        sync.weighWarm(List.of(), NOW);
        sync.weighWarm(List.of(warm), NOW);

        assertThat(engine.log).containsExactly("cpu-shares abc1 1024", "cpu-shares abc1 1024");
    }
}
