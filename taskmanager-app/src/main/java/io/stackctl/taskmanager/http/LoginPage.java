package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.stackctl.taskmanager.auth.Tokens;
import java.util.Optional;

/**
 * The page's way in and out: "Log in" and "Create an account" on {@code /} for a visitor without a session, and
 * {@code POST /ui/login}, {@code /ui/register}, {@code /ui/logout}. The rules are the API's ({@link AuthRoutes});
 * a refused form comes back with what was typed (never the password) and the reason in words.
 */
final class LoginPage {

    private final AuthRoutes auth;
    private final AuthRequestParser parser;
    private final Tokens tokens;
    private final ObjectMapper json;

    LoginPage(AuthRoutes auth, AuthRequestParser parser, Tokens tokens, ObjectMapper json) {
        this.auth = auth;
        this.parser = parser;
        this.tokens = tokens;
        this.json = json;
    }

    void register(RoutesConfig routes) {
        routes.post("/ui/login", this::login);
        routes.post("/ui/register", this::registerUser);
        routes.post("/ui/logout", this::logout);
    }

    private void login(Context ctx) throws Exception {
        String username = Optional.ofNullable(ctx.formParam("username")).orElse("");
        ObjectNode fields = json.createObjectNode()
                .put("username", username)
                .put("password", Optional.ofNullable(ctx.formParam("password")).orElse(""));
        try {
            Session.start(ctx, tokens.issue(auth.login(ctx, parser.parseLogin(fields))));
        } catch (ApiException e) {
            render(ctx, e.status(), "Not logged in: " + HomePage.readable(e), username, null);
            return;
        }
        ctx.redirect("/", HttpStatus.SEE_OTHER);
    }

    private void registerUser(Context ctx) throws Exception {
        String username = Optional.ofNullable(ctx.formParam("username")).orElse("");
        String email = Optional.ofNullable(ctx.formParam("email")).orElse("");
        String password = Optional.ofNullable(ctx.formParam("password")).orElse("");
        ObjectNode fields = json.createObjectNode()
                .put("username", username)
                .put("email", email)
                .put("password", password);
        try {
            var user = auth.register(parser.parseRegistration(fields));
            Session.start(ctx, tokens.issue(user));
        } catch (ApiException e) {
            render(
                    ctx,
                    e.status(),
                    null,
                    username,
                    new Registering(username, email, "Not registered: " + HomePage.readable(e)));
            return;
        }
        ctx.redirect("/", HttpStatus.SEE_OTHER);
    }

    private void logout(Context ctx) {
        Session.end(ctx);
        ctx.redirect("/", HttpStatus.SEE_OTHER);
    }

    /** What the registration form held when it was refused. */
    private record Registering(String username, String email, String error) {}

    /** The two forms, empty: what a visitor without a session sees on {@code /}. */
    void show(Context ctx) {
        render(ctx, 200, null, "", null);
    }

    private void render(Context ctx, int status, String loginError, String username, Registering registering) {
        var body = new StringBuilder(
                        "<h1>Tasks</h1><p class=\"meta\">Log in to see your tasks, or create an account.</p>")
                .append("<form class=\"card\" method=\"post\" action=\"/ui/login\"><h2>Log in</h2>")
                .append(PageGuard.field(ctx));
        if (loginError != null) {
            body.append(PageHtml.errorBox("", loginError));
        }
        body.append(PageHtml.field("login-username", "username", "Username", "text", username, "username"))
                .append(PageHtml.field("login-password", "password", "Password", "password", "", "current-password"))
                .append("<button class=\"submit\" type=\"submit\">Log in</button></form>")
                .append("<form class=\"card\" method=\"post\" action=\"/ui/register\"><h2>Create an account</h2>")
                .append(PageGuard.field(ctx));
        if (registering != null) {
            body.append(PageHtml.errorBox("", registering.error()));
        }
        body.append(PageHtml.field(
                        "register-username",
                        "username",
                        "Username (3 to 50 letters, digits, . _ -)",
                        "text",
                        registering == null ? "" : registering.username(),
                        "username"))
                .append(PageHtml.field(
                        "register-email",
                        "email",
                        "Email",
                        "email",
                        registering == null ? "" : registering.email(),
                        "email"))
                .append(PageHtml.field(
                        "register-password",
                        "password",
                        "Password (at least " + AuthRequestParser.MIN_PASSWORD_CHARS + " characters)",
                        "password",
                        "",
                        "new-password"))
                .append("<button class=\"submit\" type=\"submit\">Create account</button></form>");
        ctx.status(status).html(PageHtml.layout("Log in", body.toString()));
    }
}
