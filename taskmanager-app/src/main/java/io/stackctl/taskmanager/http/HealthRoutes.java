package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.stackctl.taskmanager.cache.CacheUnavailableException;
import io.stackctl.taskmanager.cache.TaskCache;
import io.stackctl.taskmanager.db.Database;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Probes. {@code /live}: the process serves (no dependency touched). {@code /ready}: the database answers
 * and the replica is not draining. {@code /health}: both dependencies, timed; a dead cache only degrades.
 */
final class HealthRoutes {

    private final String instance;
    private final Database database;
    private final TaskCache cache;
    private final BooleanSupplier draining;
    private final BooleanSupplier warming;
    private final ObjectMapper json;

    HealthRoutes(
            String instance,
            Database database,
            TaskCache cache,
            BooleanSupplier draining,
            BooleanSupplier warming,
            ObjectMapper json) {
        this.instance = instance;
        this.database = database;
        this.cache = cache;
        this.draining = draining;
        this.warming = warming;
        this.json = json;
    }

    void register(RoutesConfig routes) {
        routes.get("/live", this::live);
        routes.get("/ready", this::ready);
        routes.get("/health", this::health);
        // HEAD runs the same checks (the server drops the body): without its own route, Javalin answers HEAD 200
        // for any GET route without running it, so a monitor probing /ready with HEAD would never see a 503.
        routes.head("/live", this::live);
        routes.head("/ready", this::ready);
        routes.head("/health", this::health);
    }

    private void live(Context ctx) throws Exception {
        answer(ctx, 200, body("alive"));
    }

    private void ready(Context ctx) throws Exception {
        if (warming.getAsBoolean()) {
            var body = body("warming_up");
            body.put("reason", "starting: serving its own first requests so clients never meet a cold JVM");
            answer(ctx, 503, body);
            return;
        }
        if (draining.getAsBoolean()) {
            var body = body("draining");
            body.put("reason", "shutting down: finishing in-flight requests");
            answer(ctx, 503, body);
            return;
        }
        Map<String, Object> check = databaseCheck();
        boolean up = "up".equals(check.get("status"));
        var body = body(up ? "ready" : "not_ready");
        body.put("database", check);
        answer(ctx, up ? 200 : 503, body);
    }

    private void health(Context ctx) throws Exception {
        Map<String, Object> db = databaseCheck();
        Map<String, Object> redis = cacheCheck();
        boolean dbUp = "up".equals(db.get("status"));
        boolean cacheUp = "up".equals(redis.get("status"));
        String status = !dbUp ? "unhealthy" : cacheUp ? "healthy" : "degraded";
        var body = body(status);
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("database", db);
        checks.put("cache", redis);
        body.put("checks", checks);
        answer(ctx, dbUp ? 200 : 503, body);
    }

    private Map<String, Object> databaseCheck() {
        Map<String, Object> check = new LinkedHashMap<>();
        if (database.held()) {
            // A switchover holds new transactions for a few seconds: this replica serves them once it resumes, and
            // a probe must not take every replica out of nginx meanwhile (nor wait at the gate itself).
            check.put("status", "up");
            check.put("held", "for a database switchover");
            return check;
        }
        try {
            check.put("status", "up");
            check.put("response_time_ms", round(database.ping()));
        } catch (SQLException e) {
            check.put("status", "down");
            check.put("error", e.getMessage());
        }
        var pool = database.stats();
        check.put(
                "pool",
                Map.of("active", pool.active(), "idle", pool.idle(), "waiting", pool.waiting(), "max", pool.max()));
        return check;
    }

    private Map<String, Object> cacheCheck() {
        Map<String, Object> check = new LinkedHashMap<>();
        try {
            check.put("status", "up");
            check.put("response_time_ms", round(cache.ping()));
        } catch (CacheUnavailableException e) {
            check.put("status", "down");
            check.put("error", e.getMessage());
        }
        check.put("circuit", cache.breakerState());
        return check;
    }

    private Map<String, Object> body(String status) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("instance", Map.of("id", instance));
        return body;
    }

    private void answer(Context ctx, int status, Map<String, Object> body) throws Exception {
        ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(body));
    }

    private static double round(double ms) {
        return Math.round(ms * 100) / 100.0;
    }
}
