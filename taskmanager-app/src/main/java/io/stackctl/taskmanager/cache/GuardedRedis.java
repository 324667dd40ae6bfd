package io.stackctl.taskmanager.cache;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Redis behind short timeouts and a circuit breaker. A dead or slow Redis costs a request at most one
 * short timeout while the breaker learns, then nothing: calls are refused at once until a probe after
 * {@link #OPEN_WAIT} finds Redis back, and the cache resumes by itself.
 */
final class GuardedRedis implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GuardedRedis.class);

    static final int TIMEOUT_MS = 250;
    static final int POOL_SIZE = 128;
    static final Duration POOL_WAIT = Duration.ofMillis(200);
    static final Duration OPEN_WAIT = Duration.ofSeconds(1);
    /** How long a reconnect waits for its new connections before the new pool takes over regardless. */
    static final Duration WARM_WITHIN = Duration.ofSeconds(5);
    /** Connections a reconnect opens at once: each waits a round trip per command through a slow link. */
    static final int WARM_PARALLEL = 8;

    /**
     * A Redis call takes well under a millisecond here; one this slow is a slow cache (a congested or lossy link, a
     * blocked server), and when half the recent calls are, the breaker opens as for errors: reads go to PostgreSQL,
     * which then answers faster than the cache (drill cache-latency). Below the 250 ms timeout, a slow call never fails.
     */
    static final Duration SLOW_CALL = Duration.ofMillis(50);

    private final GenericObjectPoolConfig<Jedis> poolConfig;
    private final HostAndPort address;
    private final JedisClientConfig clientConfig;
    private volatile JedisPool pool;
    private final CircuitBreaker breaker;

    GuardedRedis(CacheSettings config) {
        var client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(TIMEOUT_MS)
                .socketTimeoutMillis(TIMEOUT_MS)
                .clientName("taskmanager-" + config.instanceId())
                // RESP2, said once: the pooled client cannot negotiate RESP3, and asking logs a warning per connection.
                .protocol(RedisProtocol.RESP2)
                .autoNegotiateProtocol(false);
        if (!config.password().isEmpty()) {
            client.user(config.user()).password(config.password());
        }
        if (!config.tlsCaFile().isEmpty()) {
            client.ssl(true).sslSocketFactory(CaTrust.socketFactory(config.tlsCaFile()));
            client.sslParameters(CaTrust.checkingHostName());
        }
        this.poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMaxTotal(POOL_SIZE);
        poolConfig.setMaxIdle(POOL_SIZE);
        poolConfig.setMinIdle(0);
        poolConfig.setMaxWait(POOL_WAIT);
        poolConfig.setJmxEnabled(false);
        this.address = new HostAndPort(config.host(), config.port());
        this.clientConfig = client.build();
        this.pool = new JedisPool(poolConfig, address, clientConfig);
        this.breaker = CircuitBreaker.of(
                "redis",
                CircuitBreakerConfig.custom()
                        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .slidingWindowSize(20)
                        .minimumNumberOfCalls(5)
                        .failureRateThreshold(50)
                        .waitDurationInOpenState(OPEN_WAIT)
                        .permittedNumberOfCallsInHalfOpenState(2)
                        .slowCallDurationThreshold(SLOW_CALL)
                        .slowCallRateThreshold(50)
                        .recordExceptions(JedisException.class)
                        .build());
        breaker.getEventPublisher().onStateTransition(event -> logTransition(event.getStateTransition()));
    }

    /**
     * Why the cache went quiet (failed or slow calls) is the first thing an operator asks; each failed probe of an
     * outage that lasts is left to debug, or a long outage would log twice a second.
     */
    private void logTransition(CircuitBreaker.StateTransition transition) {
        var metrics = breaker.getMetrics();
        switch (transition) {
            case CLOSED_TO_OPEN ->
                log.warn(
                        "redis circuit breaker opened: {}% of the last {} calls failed, {}% were slower than {} ms;"
                                + " reads go to PostgreSQL, a probe every {} s",
                        Math.max(0, metrics.getFailureRate()),
                        metrics.getNumberOfBufferedCalls(),
                        Math.max(0, metrics.getSlowCallRate()),
                        SLOW_CALL.toMillis(),
                        OPEN_WAIT.toSeconds());
            case HALF_OPEN_TO_CLOSED -> log.info("redis circuit breaker shut: redis answers again");
            default -> log.debug("redis circuit breaker: {}", transition);
        }
    }

    /**
     * Runs one Redis operation; throws {@link CacheUnavailableException} when Redis cannot answer. The breaker times
     * the operation alone: borrowing may open a connection (TCP, AUTH, SETNAME: tens of ms on a busy host, more with
     * TLS), which is the pool growing, not a slow cache, and once counted as slow calls it opened the breaker of a
     * replica (and of a CI test) whose Redis answered in a millisecond. A borrow that fails is recorded as an error.
     */
    <T> T call(Function<Jedis, T> operation) {
        if (!breaker.tryAcquirePermission()) {
            throw new CacheUnavailableException(
                    "redis circuit breaker is open",
                    CallNotPermittedException.createCallNotPermittedException(breaker));
        }
        long start = System.nanoTime();
        Jedis jedis;
        try {
            jedis = borrow();
        } catch (JedisException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            throw new CacheUnavailableException("redis: " + e.getMessage(), e);
        }
        start = System.nanoTime();
        try {
            T result = operation.apply(jedis);
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return result;
        } catch (JedisException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            throw new CacheUnavailableException("redis: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            throw e;
        } finally {
            giveBack(jedis);
        }
    }

    /** Back to its pool (a broken one is dropped there); the call's answer stands whatever happens to it. */
    private static void giveBack(Jedis jedis) {
        try {
            jedis.close();
        } catch (JedisException e) {
            // the pool was closed by a reconnect meanwhile: the connection goes with it
        }
    }

    String breakerState() {
        return breaker.getState().name().toLowerCase();
    }

    boolean isOpen() {
        var state = breaker.getState();
        return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN;
    }

    /** A connection from the current pool; one replaced and closed between the read and the borrow is passed over. */
    private Jedis borrow() {
        JedisPool used = pool;
        try {
            return used.getResource();
        } catch (JedisException e) {
            if (used != pool) {
                return pool.getResource();
            }
            throw e;
        }
    }

    /**
     * Every connection opened again (SIGHUP): a new pool opens as many connections as the old one holds, then takes
     * over, and the old one is closed at once; a connection borrowed from it is closed as it comes back, its call
     * unharmed. Opened before it takes over, because a pool that connects on demand makes the requests that meet it
     * wait for TCP, AUTH and SETNAME: drill db-latency's slowest cached reads were the ones just after its SIGHUP.
     * Redis that does not answer in {@link #WARM_WITHIN} gets the new pool all the same (a changed route must be
     * taken), which then connects on demand. Returns the connections opened before it took over.
     */
    int reconnect() throws InterruptedException {
        JedisPool old = pool;
        int held = Math.min(POOL_SIZE, Math.max(1, old.getNumActive() + old.getNumIdle()));
        JedisPool fresh = new JedisPool(poolConfig, address, clientConfig);
        int opened = warm(fresh, held);
        pool = fresh;
        old.close();
        return opened;
    }

    /** Opens {@code count} idle connections in the pool, several at once: one by one, a slow link takes seconds. */
    private static int warm(JedisPool fresh, int count) throws InterruptedException {
        var opened = new AtomicInteger();
        ExecutorService openers = Executors.newFixedThreadPool(Math.min(count, WARM_PARALLEL), runnable -> {
            Thread thread = new Thread(runnable, "redis-reconnect");
            thread.setDaemon(true);
            return thread;
        });
        try {
            for (int i = 0; i < count; i++) {
                openers.execute(() -> {
                    try {
                        fresh.addObject();
                        opened.incrementAndGet();
                    } catch (Exception e) {
                        // not reachable now: the pool connects on demand once it serves
                    }
                });
            }
            openers.shutdown();
            openers.awaitTermination(WARM_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            openers.shutdownNow();
        }
        return opened.get();
    }

    @Override
    public void close() {
        pool.close();
    }
}
