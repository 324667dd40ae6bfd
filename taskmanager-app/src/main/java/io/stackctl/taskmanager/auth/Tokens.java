package io.stackctl.taskmanager.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * HS256 JSON Web Tokens: subject = user id, plus the username and role, the account's creation time ({@code acct},
 * epoch microseconds), issued at, expiry and a unique id. This class checks signature and times; that the account
 * is still the one the token was issued to is {@link Authenticator}'s part.
 */
public final class Tokens {

    static final String ISSUER = "taskmanager";
    static final String ACCOUNT_CLAIM = "acct";
    static final String CREDENTIAL_CLAIM = "cred";

    private final Supplier<KeyRing> keys;
    private final AuthSettings settings;
    private final Clock clock;
    private volatile Checkers checkers = new Checkers(null, Map.of());

    public Tokens(AuthSettings settings) {
        this(settings, () -> KeyRing.of(settings.jwtSecret()), Clock.systemUTC());
    }

    public Tokens(AuthSettings settings, Supplier<KeyRing> keys) {
        this(settings, keys, Clock.systemUTC());
    }

    /** A clock of their own lets tests make tokens that are already expired or not yet valid. */
    public Tokens(AuthSettings settings, Supplier<KeyRing> keys, Clock clock) {
        this.settings = settings;
        this.keys = keys;
        this.clock = clock;
    }

    public Tokens(AuthSettings settings, Clock clock) {
        this(settings, () -> KeyRing.of(settings.jwtSecret()), clock);
    }

    public Issued issue(User user) {
        SigningKey signing = keys.get().signing();
        Instant now = clock.instant();
        Instant expires = now.plus(settings.tokenTtl());
        String token = JWT.create()
                .withIssuer(ISSUER)
                .withSubject(Long.toString(user.id()))
                .withClaim("name", user.username())
                .withClaim("role", user.role().wire())
                .withClaim(ACCOUNT_CLAIM, accountStamp(user))
                .withClaim(CREDENTIAL_CLAIM, user.credential().isEmpty() ? null : user.credential())
                .withIssuedAt(now)
                .withNotBefore(now)
                .withExpiresAt(expires)
                .withJWTId(UUID.randomUUID().toString())
                .withKeyId(signing.id())
                .sign(Algorithm.HMAC256(signing.secret()));
        return new Issued(token, settings.tokenTtl().toSeconds());
    }

    /** What a good token claims; throws {@link Rejected} saying why it is not accepted. */
    public Claims verify(String token) {
        DecodedJWT decoded;
        try {
            decoded = checker(JWT.decode(token).getKeyId()).verify(token);
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
        Long account = decoded.getClaim(ACCOUNT_CLAIM).asLong();
        String credential = decoded.getClaim(CREDENTIAL_CLAIM).asString();
        return new Claims(
                new Principal(userId, decoded.getClaim("name").asString(), role.get()),
                account == null ? OptionalLong.empty() : OptionalLong.of(account),
                decoded.getIssuedAtAsInstant(),
                credential == null ? "" : credential);
    }

    /** The verifier for tokens naming {@code keyId}; one per key, built again only when the ring changes. */
    private JWTVerifier checker(String keyId) {
        KeyRing ring = keys.get();
        SigningKey key = ring.checking(keyId, clock.instant())
                .orElseThrow(() ->
                        new Rejected("the token was signed with a key that is retired or unknown; log in" + " again"));
        Checkers current = checkers;
        if (current.ring() != ring) {
            current = new Checkers(ring, new ConcurrentHashMap<>());
            checkers = current;
        }
        return current.byKey()
                .computeIfAbsent(
                        key.id(),
                        id -> ((JWTVerifier.BaseVerification) JWT.require(Algorithm.HMAC256(key.secret()))
                                        .withIssuer(ISSUER)
                                        .withClaimPresence("name")
                                        .withClaimPresence("role")
                                        .acceptLeeway(settings.clockSkew().toSeconds()))
                                .build(clock));
    }

    private record Checkers(KeyRing ring, Map<String, JWTVerifier> byKey) {}

    static long accountStamp(User user) {
        Instant created = user.createdAt();
        return Math.addExact(Math.multiplyExact(created.getEpochSecond(), 1_000_000L), created.getNano() / 1_000);
    }

    public record Issued(String token, long expiresInSeconds) {}

    /**
     * @param account the account's creation time the token was issued against; absent in tokens from before it
     *     was added, which are then held to having been issued after the account was created
     * @param credential the account's password fingerprint when the token was issued ({@link User#credential}); empty
     *     in tokens from before it was added
     */
    public record Claims(Principal principal, OptionalLong account, Instant issuedAt, String credential) {

        public long userId() {
            return principal.userId();
        }

        /** Whether the token was issued to {@code user} as it is now: the same account, its password unchanged since. */
        public boolean current(User user) {
            return issuedTo(user) && passwordUnchanged(user);
        }

        /**
         * Whether the account's password is the one it had when the token was issued; tokens from before tokens
         * carried the fingerprint cannot tell, and pass.
         */
        public boolean passwordUnchanged(User user) {
            return credential.isEmpty() || user.credential().isEmpty() || credential.equals(user.credential());
        }

        /** Whether {@code user}, the account with this id now, is the one the token was issued to. */
        public boolean issuedTo(User user) {
            if (account.isPresent()) {
                return account.getAsLong() == accountStamp(user);
            }
            return issuedAt != null && !issuedAt.isBefore(user.createdAt().truncatedTo(ChronoUnit.SECONDS));
        }
    }

    /** A token that must not be accepted, with a reason safe to show its sender. */
    public static final class Rejected extends RuntimeException {
        Rejected(String reason) {
            super(reason, null, false, false);
        }
    }
}
