package io.stackctl.taskmanager.http;

import io.javalin.http.Context;
import io.stackctl.taskmanager.auth.Tokens;

/**
 * The page's login session: the same JWT the API uses, in a cookie scripts cannot read ({@code HttpOnly}) and that
 * other sites' forms never send ({@code SameSite=Strict}, the page's defence against cross-site form posts).
 */
final class Session {

    private Session() {}

    static void start(Context ctx, Tokens.Issued issued) {
        set(ctx, issued.token(), issued.expiresInSeconds());
    }

    static void end(Context ctx) {
        set(ctx, "", 0);
    }

    private static void set(Context ctx, String value, long maxAgeSeconds) {
        boolean https = "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
        ctx.res()
                .addHeader(
                        "Set-Cookie",
                        AuthGate.SESSION_COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds
                                + "; HttpOnly; SameSite=Strict" + (https ? "; Secure" : ""));
    }
}
