package io.stackctl.taskmanager.cache;

import io.stackctl.taskmanager.task.Scope;
import io.stackctl.taskmanager.task.TaskQuery;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;

/**
 * Cache-aside for tasks and task lists. Values are the exact JSON bytes the API sends, so a hit costs one
 * Redis round trip and no encoding. Redis trouble never fails a caller: reads report a miss, writes are
 * remembered in {@link PendingInvalidations} and replayed when Redis answers again.
 */
public final class TaskCache implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TaskCache.class);
    private static final int SCAN_BATCH = 500;
    /** SET with expiry, only while the task's write count is still the one its reader saw (absent counts as 0). */
    private static final byte[] STORE_IF_UNCHANGED = bytes("if (redis.call('GET', KEYS[2]) or '0') == ARGV[2] then"
            + " return redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3]) end return false");

    private final GuardedRedis redis;
    private final SetParams expiry;
    private final long ttlSeconds;
    /** A write count outlives every entry stored under it, so it cannot vanish while a reader still holds it. */
    private final long versionTtlSeconds;

    private final PendingInvalidations pending = new PendingInvalidations();
    private final Object replayLock = new Object();
    private volatile boolean replaying;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder errors = new LongAdder();

    public TaskCache(CacheSettings config) {
        this.redis = new GuardedRedis(config);
        this.expiry = SetParams.setParams().ex(config.ttlSeconds());
        this.ttlSeconds = config.ttlSeconds();
        this.versionTtlSeconds = 2L * config.ttlSeconds() + 60;
    }

    /**
     * A task of {@code ownerId}'s (another user's lookup of the same id reads another key and misses), with the
     * task's write count read in the same round trip.
     */
    public TaskLookup task(long ownerId, long id) {
        try {
            replayPending();
            List<byte[]> values = redis.call(
                    jedis -> jedis.mget(bytes(CacheKeys.task(ownerId, id)), bytes(CacheKeys.taskVersion(id))));
            byte[] cached = values.get(0);
            count(cached);
            return new TaskLookup(cached, versionOf(values.get(1)));
        } catch (CacheUnavailableException e) {
            errors.increment();
            return TaskLookup.UNAVAILABLE;
        }
    }

    /** The task as cached now, uncounted ({@code null} when absent or Redis does not answer). */
    public byte[] recheck(long ownerId, long id) {
        return peek(CacheKeys.task(ownerId, id));
    }

    /**
     * Stores a task read from the database, unless the task changed since {@code lookup} (its write count moved):
     * the read may then predate the change, and storing it would serve the old task until the entry expires.
     */
    public void putTask(long ownerId, long id, TaskLookup lookup, byte[] json) {
        if (lookup.version() < 0) {
            return;
        }
        byte[][] keys = {bytes(CacheKeys.task(ownerId, id)), bytes(CacheKeys.taskVersion(id))};
        byte[][] args = {json, bytes(Long.toString(lookup.version())), bytes(Long.toString(ttlSeconds))};
        try {
            redis.call(jedis -> jedis.eval(STORE_IF_UNCHANGED, List.of(keys), List.of(args)));
        } catch (CacheUnavailableException e) {
            errors.increment();
        }
    }

    /**
     * Reads the list generation before the database is queried, so a list read concurrently with a write is
     * stored under the old generation, which nobody reads any more.
     */
    public ListLookup list(Scope scope, TaskQuery query) {
        try {
            replayPending();
            long generation = redis.call(jedis -> generationOf(jedis.get(CacheKeys.GENERATION)));
            String key = CacheKeys.list(generation, scope, query);
            byte[] cached = redis.call(jedis -> jedis.get(bytes(key)));
            count(cached);
            return new ListLookup(key, cached);
        } catch (CacheUnavailableException e) {
            errors.increment();
            return new ListLookup(null, null);
        }
    }

    public void putList(ListLookup lookup, byte[] json) {
        if (lookup.key() != null) {
            store(lookup.key(), json);
        }
    }

    /** The list as cached now, uncounted ({@code null} when absent or Redis does not answer). */
    public byte[] recheck(ListLookup lookup) {
        return lookup.key() == null ? null : peek(lookup.key());
    }

    /**
     * After a task changed or was deleted: its write count moves on first (a read in flight can then no longer
     * store the old task), then its own key goes, and every cached list with one INCR.
     */
    public void invalidateTask(long ownerId, long id) {
        String[] keys = {CacheKeys.task(ownerId, id), CacheKeys.legacyTask(id)};
        try {
            replayPending();
            redis.call(jedis -> {
                var pipeline = jedis.pipelined();
                pipeline.incr(CacheKeys.taskVersion(id));
                pipeline.expire(CacheKeys.taskVersion(id), versionTtlSeconds);
                pipeline.del(keys);
                pipeline.incr(CacheKeys.GENERATION);
                pipeline.sync();
                return null;
            });
        } catch (CacheUnavailableException e) {
            errors.increment();
            pending.addTask(id, keys);
            log.warn("cache invalidation of task {} deferred until redis answers: {}", id, e.getMessage());
        }
    }

    /** After a task was created: only lists can hold stale answers. */
    public void invalidateLists() {
        try {
            replayPending();
            redis.call(jedis -> jedis.incr(CacheKeys.GENERATION));
        } catch (CacheUnavailableException e) {
            errors.increment();
            pending.addLists();
            log.warn("cache invalidation of lists deferred until redis answers: {}", e.getMessage());
        }
    }

    /** Drops every cached task and list; the next reads come from the database. */
    public void clear() {
        try {
            redis.call(TaskCache::purge);
        } catch (CacheUnavailableException e) {
            errors.increment();
            pending.addPurge();
            throw e;
        }
    }

    /** Round trip time to Redis in milliseconds; throws {@link CacheUnavailableException} when it fails. */
    public double ping() {
        long start = System.nanoTime();
        redis.call(Jedis::ping);
        return (System.nanoTime() - start) / 1_000_000.0;
    }

    /** A limiter over this cache's Redis (its connections, timeouts and circuit breaker). */
    public RateLimiter rateLimiter() {
        return new RateLimiter(redis);
    }

    public String breakerState() {
        return redis.breakerState();
    }

    public CacheCounts counts() {
        return new CacheCounts(hits.sum(), misses.sum(), errors.sum());
    }

    /** Server-side figures from INFO plus this replica's own counts. */
    public Map<String, Object> serverStats() {
        String info = redis.call(jedis -> jedis.info("stats") + jedis.info("memory") + jedis.info("clients"));
        Map<String, String> fields = new LinkedHashMap<>();
        info.lines()
                .map(line -> line.split(":", 2))
                .filter(kv -> kv.length == 2)
                .forEach(kv -> fields.put(kv[0], kv[1]));
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("keyspace_hits", asLong(fields.get("keyspace_hits")));
        stats.put("keyspace_misses", asLong(fields.get("keyspace_misses")));
        stats.put(
                "used_memory_human",
                fields.getOrDefault("used_memory_human", "").strip());
        stats.put("connected_clients", asLong(fields.get("connected_clients")));
        return stats;
    }

    /**
     * Every Redis connection opened again, no call failed (SIGHUP: a changed route to Redis); returns how many the new
     * pool opened before it took over.
     */
    public int reconnect() throws InterruptedException {
        return redis.reconnect();
    }

    @Override
    public void close() {
        redis.close();
    }

    private byte[] peek(String key) {
        try {
            return redis.call(jedis -> jedis.get(bytes(key)));
        } catch (CacheUnavailableException e) {
            errors.increment();
            return null;
        }
    }

    private void store(String key, byte[] json) {
        try {
            redis.call(jedis -> jedis.set(bytes(key), json, expiry));
        } catch (CacheUnavailableException e) {
            errors.increment();
        }
    }

    private void count(byte[] cached) {
        if (cached == null) {
            misses.increment();
        } else {
            hits.increment();
        }
    }

    /**
     * Throws when Redis is still unreachable, so the caller treats the cache as unavailable. One replay at a time, and
     * no read of the cache while one runs: the pending set is empty from the moment a replay takes it, and a read that
     * saw it empty then found the entry the replay had yet to delete (CI: a title from before the outage, served from
     * Redis's AOF after it came back).
     */
    private void replayPending() {
        if (pending.isEmpty() && !replaying) {
            return;
        }
        synchronized (replayLock) {
            if (pending.isEmpty()) {
                return; // replayed by the thread this one waited for
            }
            replaying = true;
            try {
                replay();
            } finally {
                replaying = false;
            }
        }
    }

    private void replay() {
        var snapshot = pending.take();
        try {
            redis.call(jedis -> {
                if (snapshot.purgeAll()) {
                    purge(jedis);
                } else {
                    var pipeline = jedis.pipelined();
                    // As invalidateTask: the write counts move on before the entries go.
                    for (long id : snapshot.tasks()) {
                        pipeline.incr(CacheKeys.taskVersion(id));
                        pipeline.expire(CacheKeys.taskVersion(id), versionTtlSeconds);
                    }
                    snapshot.keys().forEach(pipeline::del);
                    pipeline.incr(CacheKeys.GENERATION);
                    pipeline.sync();
                }
                return null;
            });
            log.info(
                    "replayed deferred cache invalidations: {} keys, full purge {}",
                    snapshot.keys().size(),
                    snapshot.purgeAll());
        } catch (CacheUnavailableException e) {
            pending.restore(snapshot);
            throw e;
        }
    }

    /**
     * Moves the generation on (never resets it: a reset could revive old list keys) and unlinks the cached tasks and
     * lists.
     */
    private static Object purge(Jedis jedis) {
        jedis.incr(CacheKeys.GENERATION);
        for (String pattern : List.of(CacheKeys.TASK_PATTERN, CacheKeys.LIST_PATTERN)) {
            var params = new ScanParams().match(pattern).count(SCAN_BATCH);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                var page = jedis.scan(cursor, params);
                // Write counts stay: one reset to 0 would let a load that read 0 before a write store what it read.
                String[] entries = page.getResult().stream()
                        .filter(key -> !CacheKeys.isTaskVersion(key))
                        .toArray(String[]::new);
                if (entries.length > 0) {
                    jedis.unlink(entries);
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        return null;
    }

    private static long generationOf(String value) {
        return value == null ? 0 : Long.parseLong(value);
    }

    private static long versionOf(byte[] value) {
        return value == null ? 0 : Long.parseLong(new String(value, StandardCharsets.UTF_8));
    }

    private static long asLong(String value) {
        return value == null ? 0 : Long.parseLong(value.strip());
    }

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** The key a list answer is cached under (null when Redis is unavailable) and the cached bytes, if any. */
    public record ListLookup(String key, byte[] cached) {}

    /**
     * A task's cached bytes, if any, and its write count read with them ({@code -1} when Redis did not answer:
     * then nobody can tell a read begun before a write from one begun after it).
     */
    public record TaskLookup(byte[] cached, long version) {
        static final TaskLookup UNAVAILABLE = new TaskLookup(null, -1);
    }

    public record CacheCounts(long hits, long misses, long errors) {}
}
