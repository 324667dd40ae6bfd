package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.stackctl.taskmanager.auth.Accounts;
import io.stackctl.taskmanager.auth.AuthSettings;
import io.stackctl.taskmanager.auth.Tokens;
import io.stackctl.taskmanager.auth.User;
import io.stackctl.taskmanager.auth.UserRepository;
import io.stackctl.taskmanager.cache.RateLimiter;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code /auth/register}, {@code /auth/login} and {@code /auth/me}. */
final class AuthRoutes {

    private final Accounts accounts;
    private final Tokens tokens;
    private final AuthRequestParser parser;
    private final RateLimiter limiter;
    private final AuthSettings settings;
    private final ObjectMapper json;

    AuthRoutes(
            Accounts accounts,
            Tokens tokens,
            AuthRequestParser parser,
            RateLimiter limiter,
            AuthSettings settings,
            ObjectMapper json) {
        this.accounts = accounts;
        this.tokens = tokens;
        this.parser = parser;
        this.limiter = limiter;
        this.settings = settings;
        this.json = json;
    }

    void register(RoutesConfig routes) {
        routes.post("/auth/register", this::registerUser);
        routes.post("/auth/login", this::login);
        routes.get("/auth/me", this::me);
    }

    private void registerUser(Context ctx) throws Exception {
        var registration = parser.parseRegistration(JsonBody.read(ctx));
        User user = register(registration);
        ctx.header("Location", "/auth/me");
        write(ctx, 201, Map.of("message", "user registered; get a token from POST /auth/login", "user", view(user)));
    }

    private void login(Context ctx) throws Exception {
        var login = parser.parseLogin(JsonBody.read(ctx));
        User user = login(ctx, login);
        var issued = tokens.issue(user);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", issued.token());
        body.put("token_type", "Bearer");
        body.put("expires_in", issued.expiresInSeconds());
        body.put("user", view(user));
        write(ctx, 200, body);
    }

    private void me(Context ctx) throws Exception {
        var principal = AuthGate.principal(ctx);
        User user = accounts.find(principal.userId())
                .orElseThrow(() -> new ApiException(
                        401, "unauthorized", "the token's user no longer exists; register or log in again"));
        write(ctx, 200, Map.of("user", view(user)));
    }

    /** Shared with the page's form. */
    User register(AuthRequestParser.Registration registration) throws SQLException {
        try {
            return accounts.register(registration.username(), registration.email(), registration.password());
        } catch (UserRepository.Taken e) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("field", e.field());
            detail.put("reason", "is already registered; choose another or log in");
            throw new ApiException(409, "already registered", detail);
        }
    }

    /**
     * Shared with the page's form. Attempts per username are limited, so guessing one account's password is slow
     * whichever replica and however many addresses the guesses come from.
     */
    User login(Context ctx, AuthRequestParser.Login login) throws SQLException {
        var decision = limiter.acquireStrict("login:" + login.username(), settings.loginAttemptsPerMinute(), 60);
        if (!decision.allowed()) {
            ctx.header("Retry-After", Long.toString(decision.retryAfterSeconds()));
            throw new ApiException(
                    429,
                    "too many login attempts",
                    "more than %d attempts in a minute for '%s'; retry after %d s"
                            .formatted(
                                    settings.loginAttemptsPerMinute(), login.username(), decision.retryAfterSeconds()));
        }
        Optional<User> user = accounts.login(login.username(), login.password());
        return user.orElseThrow(
                () -> new ApiException(401, "invalid credentials", "the username or the password is wrong"));
    }

    static Map<String, Object> view(User user) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", user.id());
        view.put("username", user.username());
        view.put("email", user.email());
        view.put("role", user.role().wire());
        view.put("created_at", user.createdAt());
        return view;
    }

    private void write(Context ctx, int status, Map<String, Object> body) throws Exception {
        ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(body));
    }
}
