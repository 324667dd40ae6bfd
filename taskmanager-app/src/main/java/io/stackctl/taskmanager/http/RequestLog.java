package io.stackctl.taskmanager.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.stackctl.taskmanager.db.DatabaseTime;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tags every request (request id from nginx's {@code X-Request-ID}, {@code X-Instance} on every answer), says in
 * {@code Server-Timing} how long the app took and how much of it the database ({@link DatabaseTime}; no {@code db}
 * entry: the answer needed no database), and records its metrics when it completes, with a JSON log line when the
 * {@link RequestLogPolicy} asks for one.
 */
final class RequestLog {

    static final String REQUEST_ID_ATTRIBUTE = "request-id";
    static final String CACHE_ATTRIBUTE = "cache";
    static final String SERVER_TIMING = "Server-Timing";
    private static final String STARTED_ATTRIBUTE = "started-nanos";
    static final String UNMATCHED_ROUTE = "unmatched";

    /** An id we echo into logs and headers must be short and plain; anything else is replaced. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private static final Logger log = LoggerFactory.getLogger("http");

    private final String instance;
    private final Metrics metrics;
    private final RequestLogPolicy policy;

    RequestLog(String instance, Metrics metrics, RequestLogPolicy policy) {
        this.instance = instance;
        this.metrics = metrics;
        this.policy = policy;
    }

    void register(JavalinConfig config) {
        config.routes.before(this::tag);
        config.routes.after(RequestLog::timing);
        config.requestLogger.http(this::complete);
    }

    private void tag(Context ctx) {
        String requestId = ctx.header("X-Request-ID");
        if (requestId == null || !SAFE_ID.matcher(requestId).matches()) {
            requestId = UUID.randomUUID().toString();
        }
        DatabaseTime.reset();
        ctx.attribute(STARTED_ATTRIBUTE, System.nanoTime());
        ctx.attribute(REQUEST_ID_ATTRIBUTE, requestId);
        ctx.header("X-Request-ID", requestId);
        ctx.header("X-Instance", instance);
    }

    /** The W3C Server-Timing metrics, in ms: "app" for the whole request here, "db" when it used the database. */
    static void timing(Context ctx) {
        Long started = ctx.attribute(STARTED_ATTRIBUTE);
        if (started == null) {
            return;
        }
        String app = "app;dur=" + millis((System.nanoTime() - started) / 1_000_000.0);
        ctx.header(
                SERVER_TIMING,
                DatabaseTime.used() ? app + ", db;dur=" + millis(Math.max(0.001, DatabaseTime.spentMs())) : app);
    }

    private static String millis(double ms) {
        return String.format(Locale.ROOT, "%.3f", ms);
    }

    private void complete(Context ctx, Float durationMs) {
        String route = routeOf(ctx);
        int status = ctx.statusCode();
        String method = ctx.method().name();
        metrics.recordRequest(route, method, status, durationMs / 1000.0);
        String reason = policy.reason(status, durationMs);
        if (reason == null) {
            return;
        }
        String cache = ctx.attribute(CACHE_ATTRIBUTE);
        log.info(
                "{} {} {}",
                method,
                route,
                status,
                kv("instance", instance),
                kv("request_id", ctx.attribute(REQUEST_ID_ATTRIBUTE)),
                kv("method", method),
                kv("route", route),
                kv("path", ctx.path()),
                kv("status", status),
                kv("duration_ms", Math.round(durationMs * 1000) / 1000.0),
                kv("cache", cache == null ? "-" : cache),
                kv("logged_because", reason));
    }

    /**
     * The route template (bounded label set), never the raw path: the HTTP handler's, whatever before and after
     * handlers (this class's {@link #timing}) ran around it.
     */
    static String routeOf(Context ctx) {
        var endpoint = ctx.endpoints().matchedHttpEndpoint();
        return endpoint == null ? UNMATCHED_ROUTE : endpoint.path;
    }
}
