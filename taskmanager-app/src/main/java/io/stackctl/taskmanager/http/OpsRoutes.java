package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.stackctl.taskmanager.auth.KeyRing;
import io.stackctl.taskmanager.cache.CacheUnavailableException;
import io.stackctl.taskmanager.cache.TaskCache;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Operator routes: {@code /cache/stats}, {@code /cache/clear}, {@code /metrics} and {@code /ops/keys}. */
final class OpsRoutes {

    private final String instance;
    private final TaskCache cache;
    private final Metrics metrics;
    private final Supplier<KeyRing> keys;
    private final ObjectMapper json;

    OpsRoutes(String instance, TaskCache cache, Metrics metrics, Supplier<KeyRing> keys, ObjectMapper json) {
        this.instance = instance;
        this.cache = cache;
        this.metrics = metrics;
        this.keys = keys;
        this.json = json;
    }

    void register(RoutesConfig routes) {
        routes.get("/cache/stats", this::stats);
        routes.post("/cache/clear", this::clear);
        routes.get("/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.scrape()));
        routes.get("/ops/keys", this::keys);
    }

    /** The token keys this replica signs and checks with, by id (never a secret): a rotation waits on this. */
    private void keys(Context ctx) throws Exception {
        KeyRing ring = keys.get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance", instance);
        body.put("signing", ring.signing().id());
        body.put("accepted", ring.accepted(Instant.now()));
        ctx.contentType("application/json").result(json.writeValueAsBytes(body));
    }

    private void stats(Context ctx) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        try {
            body.put("status", "up");
            body.putAll(cache.serverStats());
        } catch (CacheUnavailableException e) {
            body.put("status", "unavailable");
            body.put("error", e.getMessage());
        }
        var counts = cache.counts();
        Map<String, Object> own = new LinkedHashMap<>();
        own.put("id", instance);
        own.put("hits", counts.hits());
        own.put("misses", counts.misses());
        own.put("errors", counts.errors());
        own.put("circuit", cache.breakerState());
        body.put("instance", own);
        ctx.contentType("application/json").result(json.writeValueAsBytes(body));
    }

    private void clear(Context ctx) throws Exception {
        try {
            cache.clear();
        } catch (CacheUnavailableException e) {
            throw new ApiException(
                    503,
                    "cache unavailable",
                    "redis did not answer; it will be purged when it is back (" + e.getMessage() + ")");
        }
        ctx.contentType("application/json")
                .result(json.writeValueAsBytes(Map.of("message", "cache cleared; next reads come from the database")));
    }
}
