package io.stackctl.taskmanager.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What keeps the page's forms the page's own: every form carries an anti-forgery field, and a POST to a page route
 * without the right one is refused (403) before it changes anything, login and registration included. The field is
 * an HMAC of a random cookie ({@code SameSite=Strict}, so another site's form never sends it) under a key every
 * replica shares, so a form rendered by one replica posts to any other; a browser's {@code Sec-Fetch-Site:
 * cross-site}, which a page cannot forge, is refused too. Page answers also carry a Content-Security-Policy that
 * allows no script at all, only the page's own stylesheet (by its hash), and forms posting back to the page.
 */
final class PageGuard {

    static final String COOKIE = "csrf";
    static final String FIELD = "csrf";
    private static final String ATTRIBUTE = "csrf-field";
    private static final int COOKIE_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src '" + PageHtml.styleHash()
            + "'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final SecretKeySpec key;

    /** {@code secret}: the stack's JWT secret; while authentication is off it may be empty (the cookie still binds). */
    PageGuard(String secret) {
        this.key = new SecretKeySpec(("page-forms|" + secret).getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    void register(JavalinConfig config) {
        config.routes.beforeMatched(this::guard);
    }

    /** The hidden field every form of this answer carries. */
    static String field(Context ctx) {
        String value = ctx.attribute(ATTRIBUTE);
        if (value == null) {
            throw new IllegalStateException("no form field on " + ctx.path() + ": the route is not a page route");
        }
        return "<input type=\"hidden\" name=\"" + FIELD + "\" value=\"" + value + "\">";
    }

    private void guard(Context ctx) {
        if (!ErrorMapper.isPage(ctx)) {
            return;
        }
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "same-origin");
        String cookie = ctx.cookie(COOKIE);
        if (ctx.method() == HandlerType.POST) {
            refuseForgery(ctx, cookie);
        }
        if (cookie == null || !cookie.matches("[A-Za-z0-9_-]{43}")) {
            cookie = newCookie(ctx);
        }
        ctx.attribute(ATTRIBUTE, sign(cookie));
    }

    private void refuseForgery(Context ctx, String cookie) {
        if ("cross-site".equalsIgnoreCase(ctx.header("Sec-Fetch-Site"))) {
            throw forbidden("it was sent from another site");
        }
        String sent = ctx.formParam(FIELD);
        if (cookie == null || sent == null) {
            throw forbidden("it carries no anti-forgery field, or the browser sent no csrf cookie");
        }
        if (!MessageDigest.isEqual(
                sign(cookie).getBytes(StandardCharsets.US_ASCII), sent.getBytes(StandardCharsets.US_ASCII))) {
            throw forbidden("its anti-forgery field does not match this browser's csrf cookie");
        }
    }

    private static ApiException forbidden(String why) {
        return new ApiException(
                403, "forbidden", "this form was refused: " + why + "; reload the page and send the form again");
    }

    private static String newCookie(Context ctx) {
        byte[] bytes = new byte[COOKIE_BYTES];
        RANDOM.nextBytes(bytes);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        boolean https = "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
        ctx.res()
                .addHeader(
                        "Set-Cookie",
                        COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict" + (https ? "; Secure" : ""));
        return value;
    }

    private String sign(String cookie) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(mac.doFinal(cookie.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
