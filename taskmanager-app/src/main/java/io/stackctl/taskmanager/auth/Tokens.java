package io.stackctl.taskmanager.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * HS256 JSON Web Tokens: subject = user id, plus the username and role, issued at, expiry and a unique id. A
 * token is checked by signature and times alone (no database read per request), so a role change or a removed
 * user takes effect when the token expires; keep {@code JWT_TTL_MINUTES} short for that reason.
 */
public final class Tokens {

    static final String ISSUER = "taskmanager";

    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final AuthSettings settings;
    private final Clock clock;

    public Tokens(AuthSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /** A clock of their own lets tests make tokens that are already expired or not yet valid. */
    public Tokens(AuthSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.algorithm = Algorithm.HMAC256(settings.jwtSecret());
        this.verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm)
                        .withIssuer(ISSUER)
                        .withClaimPresence("name")
                        .withClaimPresence("role")
                        .acceptLeeway(settings.clockSkew().toSeconds()))
                .build(clock);
    }

    public Issued issue(User user) {
        Instant now = clock.instant();
        Instant expires = now.plus(settings.tokenTtl());
        String token = JWT.create()
                .withIssuer(ISSUER)
                .withSubject(Long.toString(user.id()))
                .withClaim("name", user.username())
                .withClaim("role", user.role().wire())
                .withIssuedAt(now)
                .withNotBefore(now)
                .withExpiresAt(expires)
                .withJWTId(UUID.randomUUID().toString())
                .sign(algorithm);
        return new Issued(token, settings.tokenTtl().toSeconds());
    }

    /** The token's principal; throws {@link Rejected} saying why it is not accepted. */
    public Principal verify(String token) {
        DecodedJWT decoded;
        try {
            decoded = verifier.verify(token);
        } catch (TokenExpiredException e) {
            throw new Rejected("the token expired at " + e.getExpiredOn() + "; log in again");
        } catch (JWTVerificationException e) {
            // The library's message may quote the token's own claims; say only that it is not one of ours.
            throw new Rejected("the token is not valid (bad signature, algorithm, issuer or times); log in again");
        }
        var role = Role.fromWire(decoded.getClaim("role").asString());
        long userId;
        try {
            userId = Long.parseLong(decoded.getSubject());
        } catch (NumberFormatException e) {
            throw new Rejected("the token names no user; log in again");
        }
        if (role.isEmpty()) {
            throw new Rejected("the token names no known role; log in again");
        }
        return new Principal(userId, decoded.getClaim("name").asString(), role.get());
    }

    public record Issued(String token, long expiresInSeconds) {}

    /** A token that must not be accepted, with a reason safe to show its sender. */
    public static final class Rejected extends RuntimeException {
        Rejected(String reason) {
            super(reason, null, false, false);
        }
    }
}
