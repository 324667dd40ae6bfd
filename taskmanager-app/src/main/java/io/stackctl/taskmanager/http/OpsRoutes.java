package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.stackctl.taskmanager.auth.KeyRing;
import io.stackctl.taskmanager.cache.CacheUnavailableException;
import io.stackctl.taskmanager.cache.TaskCache;
import io.stackctl.taskmanager.db.Database;
import io.stackctl.taskmanager.db.HandoverDataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Operator routes: {@code /cache/stats}, {@code /cache/clear}, {@code /metrics}, {@code /ops/keys}, and
 * {@code /ops/db/hold} and {@code /ops/db/resume}, which {@code stackctl failover} wraps a switchover in.
 */
final class OpsRoutes {

    private final String instance;
    private final TaskCache cache;
    private final Metrics metrics;
    private final Supplier<KeyRing> keys;
    private final ObjectMapper json;
    private final Database database;

    /** The longest hold an operator may ask for; the default is what a switchover needs with room to spare. */
    static final int MAX_HOLD_SECONDS = 30;

    static final int DEFAULT_HOLD_SECONDS = 10;

    OpsRoutes(
            String instance,
            TaskCache cache,
            Metrics metrics,
            Supplier<KeyRing> keys,
            ObjectMapper json,
            Database database) {
        this.instance = instance;
        this.database = database;
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
        routes.post("/ops/db/hold", this::hold);
        routes.post("/ops/db/resume", this::resume);
        routes.post("/ops/db/reconnect", this::reconnect);
    }

    /**
     * New transactions wait (at most {@code seconds}, 10 by default) and the ones in flight end: the old primary
     * can stop with nothing on it. Answers once none is in flight, or with how many still are after 3 s.
     */
    private void hold(Context ctx) throws Exception {
        String asked = ctx.queryParam("seconds");
        int seconds;
        try {
            seconds = asked == null ? DEFAULT_HOLD_SECONDS : Integer.parseInt(asked);
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 1 || seconds > MAX_HOLD_SECONDS) {
            throw new ApiException(
                    400,
                    "bad request",
                    Map.of("field", "seconds", "reason", "must be a whole number from 1 to " + MAX_HOLD_SECONDS));
        }
        int inFlight = database.hold(Duration.ofSeconds(seconds));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance", instance);
        body.put("held_for_seconds", seconds);
        body.put("in_flight", inFlight);
        ctx.contentType("application/json").result(json.writeValueAsBytes(body));
    }

    /** Every database connection opened again (to the primary now), then the held transactions let go. */
    private void resume(Context ctx) throws Exception {
        answerHandover(ctx, database.resume());
    }

    /**
     * Every database connection opened again, held or not: a switchover does it while the new primary waits for its
     * standby, so that its resume only lets the held transactions go.
     */
    private void reconnect(Context ctx) throws Exception {
        answerHandover(ctx, database.reconnect());
    }

    private void answerHandover(Context ctx, HandoverDataSource.Handover handover) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance", instance);
        body.put("reconnected", handover.done());
        body.put("connections", handover.connections());
        body.put("ready_ms", handover.readyMs());
        ctx.status(handover.done() ? 200 : 503).contentType("application/json").result(json.writeValueAsBytes(body));
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
