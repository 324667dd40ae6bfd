package io.stackctl.taskmanager.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.stackctl.taskmanager.auth.AuthSettings;
import io.stackctl.taskmanager.auth.Principal;
import io.stackctl.taskmanager.auth.Tokens;
import io.stackctl.taskmanager.cache.RateLimiter;
import java.util.Optional;

/**
 * Runs before every route and decides who the request acts for. The API ({@code /tasks}, {@code /auth/me}) wants
 * {@code Authorization: Bearer <token>}; the page reads its session cookie and shows a login form without one;
 * operator routes ({@code /cache/*}, {@code /metrics}) answer an admin's token, or a request that did not come
 * through nginx (nginx always adds {@code X-Forwarded-For}; only the stack's own network and its host reach a
 * replica directly). Then each user's requests are counted across replicas, and past the limit answered 429.
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
    private final Tokens tokens;
    private final RateLimiter limiter;

    AuthGate(AuthSettings settings, Tokens tokens, RateLimiter limiter) {
        this.settings = settings;
        this.tokens = tokens;
        this.limiter = limiter;
    }

    void register(JavalinConfig config) {
        config.routes.before(this::admit);
    }

    static Access accessOf(String path) {
        if (path.equals("/tasks") || path.startsWith("/tasks/") || path.equals("/auth/me")) {
            return Access.API;
        }
        if (path.equals("/") || path.startsWith("/ui/")) {
            return Access.PAGE;
        }
        if (path.startsWith("/cache/") || path.equals("/metrics")) {
            return Access.OPERATOR;
        }
        return Access.OPEN;
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

    private void admit(Context ctx) {
        switch (accessOf(ctx.path())) {
            case OPEN -> {}
            case API -> enter(ctx, settings.required() ? bearer(ctx) : Principal.DEFAULT_OWNER);
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

    private Principal bearer(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            ctx.header("WWW-Authenticate", REALM);
            throw unauthorized("send Authorization: Bearer <token>; get a token from POST /auth/login");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() == 7) {
            ctx.header("WWW-Authenticate", REALM + ", error=\"invalid_request\"");
            throw unauthorized("the Authorization header must be 'Bearer <token>'");
        }
        try {
            return tokens.verify(header.substring(7).strip());
        } catch (Tokens.Rejected e) {
            ctx.header("WWW-Authenticate", REALM + ", error=\"invalid_token\"");
            throw unauthorized(e.getMessage());
        }
    }

    private Optional<Principal> session(Context ctx) {
        if (!settings.required()) {
            return Optional.of(Principal.DEFAULT_OWNER);
        }
        String token = ctx.cookie(SESSION_COOKIE);
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(tokens.verify(token));
        } catch (Tokens.Rejected e) {
            Session.end(ctx); // expired or forged: forget it, the page asks to log in again
            return Optional.empty();
        }
    }

    private void operator(Context ctx) {
        if (ctx.header("X-Forwarded-For") == null) {
            return; // not through nginx: from inside the stack or its host
        }
        if (!settings.required()) {
            throw new ApiException(
                    403,
                    "forbidden",
                    "operator routes answer only inside the stack while AUTH_MODE=off; call a replica directly");
        }
        Principal principal = bearer(ctx);
        if (!principal.isAdmin()) {
            throw new ApiException(
                    403, "forbidden", "operator routes need an admin's token; '" + principal.username() + "' is not");
        }
        ctx.attribute(PRINCIPAL_ATTRIBUTE, principal);
    }

    private static ApiException unauthorized(String detail) {
        return new ApiException(401, "unauthorized", detail);
    }
}
