package io.stackctl.taskmanager.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.stackctl.taskmanager.auth.AuthSettings;
import io.stackctl.taskmanager.auth.Authenticator;
import io.stackctl.taskmanager.auth.Principal;
import io.stackctl.taskmanager.auth.Tokens;
import io.stackctl.taskmanager.cache.RateLimiter;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;

/**
 * Runs before every matched route and decides who the request acts for. The API ({@code /tasks}, {@code /auth/me})
 * wants {@code Authorization: Bearer <token>}; the page reads its session cookie and shows a login form without one;
 * operator routes ({@code /cache/*}, {@code /metrics}) want an admin's token or the stack's operator token on every
 * call, whoever sends it. Then each user's requests are counted across replicas, and past the limit answered 429.
 */
final class AuthGate {

    static final String PRINCIPAL_ATTRIBUTE = "principal";
    static final String SESSION_COOKIE = "tm_session";
    static final String REALM = "Bearer realm=\"taskmanager\"";

    enum Access {
        OPEN,
        API,
        PAGE,
        OPERATOR
    }

    private final AuthSettings settings;
    private final Authenticator authenticator;
    private final RateLimiter limiter;

    AuthGate(AuthSettings settings, Authenticator authenticator, RateLimiter limiter) {
        this.settings = settings;
        this.authenticator = authenticator;
        this.limiter = limiter;
    }

    /** Routes anyone may call; every other route not named below is an operator's (closed by default). */
    static final Set<String> OPEN_ROUTES =
            Set.of("/auth/login", "/auth/register", "/live", "/ready", "/health", ApiDocs.PATH);

    static final Set<String> API_ROUTES = Set.of("/tasks", "/tasks/{id}", "/auth/me");

    /**
     * Decides after Javalin has matched the request to a route, so what is checked is the route that will run,
     * not the path's spelling: {@code /metrics/}, {@code /%6Detrics} and {@code /tasks//1} get the same answer as
     * the route they reach. Unmatched requests run no route and get 404/405 without passing the gate.
     */
    void register(JavalinConfig config) {
        config.routes.beforeMatched(this::admit);
    }

    /** What a route (its template, as registered) requires; a route the table does not know is an operator's. */
    static Access accessOf(String route) {
        if (API_ROUTES.contains(route)) {
            return Access.API;
        }
        if (route.equals("/") || route.startsWith("/ui/")) {
            return Access.PAGE;
        }
        if (OPEN_ROUTES.contains(route)) {
            return Access.OPEN;
        }
        return Access.OPERATOR;
    }

    private static String routeOf(Context ctx) {
        var endpoint = ctx.endpoints().matchedHttpEndpoint();
        return endpoint == null ? "" : endpoint.path;
    }

    /** Who the request acts for; only on routes the gate admitted as API or with a session. */
    static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL_ATTRIBUTE);
        if (principal == null) {
            throw new IllegalStateException("no principal on " + ctx.path() + ": the route is not behind AuthGate");
        }
        return principal;
    }

    /** The page's user, when someone is logged in (or authentication is off). */
    static Optional<Principal> sessionPrincipal(Context ctx) {
        return Optional.ofNullable(ctx.attribute(PRINCIPAL_ATTRIBUTE));
    }

    private void admit(Context ctx) throws SQLException {
        switch (accessOf(routeOf(ctx))) {
            case OPEN -> {}
            case API -> enter(ctx, settings.required() ? api(ctx) : Principal.DEFAULT_OWNER);
            case PAGE -> session(ctx).ifPresent(principal -> enter(ctx, principal));
            case OPERATOR -> operator(ctx);
        }
    }

    private void enter(Context ctx, Principal principal) {
        ctx.attribute(PRINCIPAL_ATTRIBUTE, principal);
        int limit = settings.requestsPerSecond();
        if (limit == 0 || principal.isAdmin() || !settings.required()) {
            return;
        }
        var decision = limiter.acquire("u" + principal.userId(), limit, 1);
        if (!decision.counted()) {
            return;
        }
        ctx.header("RateLimit-Limit", Integer.toString(decision.limit()));
        ctx.header("RateLimit-Remaining", Long.toString(decision.remaining()));
        if (!decision.allowed()) {
            ctx.header("Retry-After", Long.toString(decision.retryAfterSeconds()));
            throw new ApiException(
                    429,
                    "rate limited",
                    "more than %d requests in a second for user '%s'; retry after %d s"
                            .formatted(limit, principal.username(), decision.retryAfterSeconds()));
        }
    }

    /** The credential of {@code Authorization: Bearer <credential>}; 401 without one. */
    private String bearer(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            ctx.header("WWW-Authenticate", REALM);
            throw unauthorized("send Authorization: Bearer <token>; get a token from POST /auth/login");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.strip().length() <= 7) {
            ctx.header("WWW-Authenticate", REALM + ", error=\"invalid_request\"");
            throw unauthorized("the Authorization header must be 'Bearer <token>'");
        }
        return header.substring(7).strip();
    }

    private Principal api(Context ctx) throws SQLException {
        String credential = bearer(ctx);
        try {
            return authenticator.api(credential);
        } catch (Tokens.Rejected e) {
            throw invalidToken(ctx, e);
        }
    }

    private Optional<Principal> session(Context ctx) throws SQLException {
        if (!settings.required()) {
            return Optional.of(Principal.DEFAULT_OWNER);
        }
        String token = ctx.cookie(SESSION_COOKIE);
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(authenticator.user(token));
        } catch (Tokens.Rejected e) {
            Session.end(ctx); // expired, forged or of a removed account: forget it, the page asks to log in again
            return Optional.empty();
        }
    }

    /**
     * Every operator call carries a credential, wherever it comes from: a container on the frontend network or the
     * host reaching a replica directly is no more trusted than a client of nginx.
     */
    private void operator(Context ctx) throws SQLException {
        String credential = bearer(ctx);
        Principal principal;
        try {
            principal = authenticator.operator(credential);
        } catch (Tokens.Rejected e) {
            throw invalidToken(ctx, e);
        }
        if (!principal.isAdmin()) {
            throw new ApiException(
                    403, "forbidden", "operator routes need an admin's token; '" + principal.username() + "' is not");
        }
        ctx.attribute(PRINCIPAL_ATTRIBUTE, principal);
    }

    private static ApiException invalidToken(Context ctx, Tokens.Rejected e) {
        ctx.header("WWW-Authenticate", REALM + ", error=\"invalid_token\"");
        return unauthorized(e.getMessage());
    }

    private static ApiException unauthorized(String detail) {
        return new ApiException(401, "unauthorized", detail);
    }
}
