package io.stackctl.taskmanager.cache;

import java.time.Clock;

/**
 * Fixed-window request counting in Redis, shared by every replica: a user's requests count the same whichever
 * replica nginx picks. One pipelined INCR and EXPIRE per request. What Redis trouble does depends on the limit:
 * <ul>
 *   <li>{@link #acquire} (a user's requests a second) lets the request through: the limit protects the service,
 *       and an unreachable cache must not turn into an outage (the design's rule for Redis); the circuit breaker
 *       keeps that to one short timeout.
 *   <li>{@link #acquireStrict} (login attempts) never goes unlimited: each replica also counts on its own, so with
 *       Redis down, or the counter evicted ({@code allkeys-lru} may drop it under memory pressure), a guesser gets
 *       at most the limit per replica, not an open door.
 * </ul>
 */
public final class RateLimiter {

    private final GuardedRedis redis;
    private final Clock clock;
    /** By window length: each keeps only its current window. */
    private final java.util.concurrent.ConcurrentHashMap<Integer, LocalWindows> local =
            new java.util.concurrent.ConcurrentHashMap<>();

    RateLimiter(GuardedRedis redis) {
        this(redis, Clock.systemUTC());
    }

    RateLimiter(GuardedRedis redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /**
     * Counts one request of {@code subject} in the current window of {@code windowSeconds} and says whether it
     * stays within {@code limit}, how many remain and when the window ends.
     */
    public Decision acquire(String subject, int limit, int windowSeconds) {
        long nowMillis = clock.millis();
        long window = nowMillis / 1000 / windowSeconds;
        long retryAfter = Math.max(1, (window + 1) * windowSeconds - nowMillis / 1000);
        String key = CacheKeys.rate(subject, window);
        long count;
        try {
            count = redis.call(jedis -> {
                var pipeline = jedis.pipelined();
                var incremented = pipeline.incr(key);
                pipeline.expire(key, windowSeconds + 1L);
                pipeline.sync();
                return incremented.get();
            });
        } catch (CacheUnavailableException e) {
            return new Decision(true, limit, limit, retryAfter, false);
        }
        return new Decision(count <= limit, limit, Math.max(0, limit - count), retryAfter, true);
    }

    /**
     * As {@link #acquire}, and also counted in this replica: refused when either count is over {@code limit}, so
     * Redis down or a counter evicted leaves the replica's own limit in force.
     */
    public Decision acquireStrict(String subject, int limit, int windowSeconds) {
        Decision shared = acquire(subject, limit, windowSeconds);
        long nowSeconds = clock.millis() / 1000;
        long here = local.computeIfAbsent(windowSeconds, length -> new LocalWindows())
                .increment(subject, nowSeconds / windowSeconds);
        if (here <= limit) {
            return shared;
        }
        return new Decision(false, limit, 0, shared.retryAfterSeconds(), true);
    }

    /** {@code counted} is false when Redis could not count and the request went through unlimited. */
    public record Decision(boolean allowed, int limit, long remaining, long retryAfterSeconds, boolean counted) {}
}
