package io.stackctl.taskmanager.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.taskmanager.Containers;
import io.stackctl.taskmanager.Eventually;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A change made while Redis did not answer this replica is replayed when it answers again; the replay must move the
 * task's write count on as the change itself would have, or a load another replica began before the change stores
 * the old task and serves it until the entry expires.
 */
class DeferredInvalidationIT {

    @Test
    void aChangeReplayedAfterAnOutageStillStopsAnOlderLoadFromStoringWhatItRead() {
        Containers.assumeDocker();
        // A fixed port: the container is stopped and started again, and must come back where the cache looks.
        var redis = Containers.redis(Containers.freePort());
        redis.start();
        try (var cache = new TaskCache(new CacheSettings(
                "it-deferred",
                redis.getHost(),
                redis.getMappedPort(6379),
                Containers.REDIS_USER,
                Containers.REDIS_PASSWORD,
                60))) {
            long owner = 1;
            long id = 42;
            var before = cache.task(owner, id);
            assertThat(before.version())
                    .as("a load begins: it read the task's write count")
                    .isZero();

            // Stopped, not paused: a paused Redis would still run the commands queued in its socket once resumed.
            Containers.stop(redis);
            cache.invalidateTask(owner, id);
            Containers.start(redis);
            Eventually.within(Duration.ofSeconds(30), "redis answers again", () -> {
                try (var probe = Containers.jedis(redis)) {
                    return probe.get(CacheKeys.taskVersion(id)) == null;
                }
            });

            Eventually.within(
                    Duration.ofSeconds(30),
                    "the cache answers again (and replays what it deferred)",
                    () -> cache.task(owner, id + 1).version() >= 0);
            try (var jedis = Containers.jedis(redis)) {
                assertThat(jedis.get(CacheKeys.taskVersion(id))).isEqualTo("1");

                cache.putTask(owner, id, before, "{\"title\":\"before the change\"}".getBytes(StandardCharsets.UTF_8));
                assertThat(jedis.get(CacheKeys.task(owner, id)))
                        .as("the load that began before the change stores nothing")
                        .isNull();

                cache.clear();
                assertThat(jedis.get(CacheKeys.taskVersion(id)))
                        .as("a purge keeps the write counts: one reset to 0 would let a load that read 0 store")
                        .isEqualTo("1");
            }
        } finally {
            redis.stop();
        }
    }
}
