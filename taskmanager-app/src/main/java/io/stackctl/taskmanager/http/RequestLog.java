package io.stackctl.taskmanager.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tags every request (request id from nginx's {@code X-Request-ID}, {@code X-Instance} on every answer) and
 * records its metrics when it completes, with a JSON log line when the {@link RequestLogPolicy} asks for one.
 */
final class RequestLog {

    static final String REQUEST_ID_ATTRIBUTE = "request-id";
    static final String CACHE_ATTRIBUTE = "cache";
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
        config.requestLogger.http(this::complete);
    }

    private void tag(Context ctx) {
        String requestId = ctx.header("X-Request-ID");
        if (requestId == null || !SAFE_ID.matcher(requestId).matches()) {
            requestId = UUID.randomUUID().toString();
        }
        ctx.attribute(REQUEST_ID_ATTRIBUTE, requestId);
        ctx.header("X-Request-ID", requestId);
        ctx.header("X-Instance", instance);
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

    /** The route template (bounded label set), never the raw path. */
    static String routeOf(Context ctx) {
        try {
            return ctx.endpoint().path;
        } catch (RuntimeException e) {
            return UNMATCHED_ROUTE;
        }
    }
}
