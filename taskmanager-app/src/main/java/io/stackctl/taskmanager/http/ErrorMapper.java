package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.stackctl.taskmanager.auth.PasswordHasher;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers: {@code {"error":...,"detail":...}} with the right
 * status. Client mistakes are 4xx; a database that cannot be reached is a fast 503; anything else is a
 * logged 500 that points at the request id.
 */
public final class ErrorMapper {

    private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);

    private final ObjectMapper json;

    public ErrorMapper(ObjectMapper json) {
        this.json = json;
    }

    public void register(RoutesConfig routes) {
        routes.exception(ApiException.class, (e, ctx) -> write(ctx, e.status(), e.error(), e.detail()));
        routes.exception(HttpResponseException.class, this::frameworkError);
        routes.exception(SQLException.class, this::databaseError);
        routes.exception(PasswordHasher.Busy.class, (e, ctx) -> {
            ctx.header("Retry-After", "1");
            write(ctx, 503, "busy", "every password check slot is taken; retry in a second");
        });
        routes.exception(Exception.class, this::unexpected);
    }

    /** The page and its forms answer people: errors there are HTML pages, not the API's JSON. */
    static boolean isPage(Context ctx) {
        return ctx.path().equals("/") || ctx.path().startsWith("/ui/");
    }

    /** PostgreSQL's disk_full: a file could not grow. Until an operator frees space, which takes longer than a second. */
    static final String DISK_FULL = "53100";

    static final int DISK_FULL_RETRY_AFTER_S = 10;

    /** True for failures that mean "the database is not reachable right now", not "this query is wrong". */
    static boolean isUnavailable(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLTransientConnectionException
                || state == null
                || state.startsWith("08") // connection exception
                || state.startsWith("57P") // admin shutdown, crash shutdown, cannot connect now
                || state.startsWith("53") // insufficient resources
                || state.equals("57014") // statement timeout
                || state.equals(
                        "25006"); // read-only transaction: a standby, in the moment a failover moves the primary
    }

    /**
     * Says which budget ran out: the pool's wait with every connection in use (this replica is at capacity, or its
     * queries are stuck), or the database's answer (a statement or socket timeout, a refused connection). A drill
     * tells a replica short of connections from a database that stalled by it (KillReplicaDrill).
     */
    static String unavailableDetail(SQLException e) {
        if (DISK_FULL.equals(e.getSQLState())) {
            return "the database's disk is full, so it cannot store this write (reads still work); retry later, with"
                    + " the same Idempotency-Key";
        }
        if (e instanceof SQLTransientConnectionException && e.getCause() == null) {
            return "every database connection of this replica stayed in use past the wait; retry shortly";
        }
        return "the database did not answer in time; retry shortly";
    }

    private void frameworkError(HttpResponseException e, Context ctx) {
        int status = e.getStatus();
        String detail = switch (status) {
            case 404 -> "no route for " + ctx.method() + " " + ctx.path();
            case 405 -> ctx.method() + " is not allowed on " + ctx.path();
            default -> e.getMessage();
        };
        write(ctx, status, HttpStatus.forStatus(status).getMessage().toLowerCase(), detail);
    }

    private void databaseError(SQLException e, Context ctx) {
        if ("23503".equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains("owner_id")) {
            // A valid token whose user is gone (a restore from before they registered): they must log in again.
            write(ctx, 401, "unauthorized", "the token's user no longer exists; register or log in again");
            return;
        }
        if ("08007".equals(e.getSQLState())) {
            log.warn("write not confirmed by a synchronous standby: {}", e.getMessage());
            ctx.header("Retry-After", "1");
            write(
                    ctx,
                    503,
                    "database unavailable",
                    "no standby confirmed the write, so it is not acknowledged; retry"
                            + " it (with the same Idempotency-Key: it is done once)");
            return;
        }
        if (isUnavailable(e)) {
            log.warn("database unavailable: {}", e.getMessage());
            ctx.header("Retry-After", DISK_FULL.equals(e.getSQLState()) ? "" + DISK_FULL_RETRY_AFTER_S : "1");
            write(ctx, 503, "database unavailable", unavailableDetail(e));
        } else {
            unexpected(e, ctx);
        }
    }

    private void unexpected(Exception e, Context ctx) {
        String requestId = String.valueOf(ctx.attribute(RequestLog.REQUEST_ID_ATTRIBUTE));
        log.error("unexpected failure on {} {} (request {})", ctx.method(), ctx.path(), requestId, e);
        write(ctx, 500, "internal error", "the server log has the details under request id " + requestId);
    }

    private void write(Context ctx, int status, String error, Object detail) {
        if (isPage(ctx)) {
            String message = detail instanceof Map<?, ?> map && map.get("reason") != null
                    ? map.get("field") + " " + map.get("reason")
                    : detail instanceof Map<?, ?> map && map.get("id") != null
                            ? "There is no task " + map.get("id") + " (it may have been deleted)."
                            : String.valueOf(detail);
            ctx.status(status).html(PageHtml.errorPage(status, error, message));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("detail", detail);
        try {
            ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            ctx.status(status).contentType("text/plain").result(error);
        }
    }
}
