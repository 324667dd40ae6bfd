package io.stackctl.taskmanager.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * Turns a bearer credential into the principal it acts for. A user's token is good only while the account it was
 * issued to still exists as it was: the token carries the account's creation time, so a restore that rewinds the
 * users' id sequence, or a removed user, ends it (checked against the database, answers kept {@link #FRESH_FOR}).
 * The stack's operator token ({@code OPS_TOKEN}, stackctl's own credential) acts as the admin account; it needs no
 * login, so no flood of failed logins can lock stackctl out.
 */
public final class Authenticator {

    /** How long a lookup of an account is trusted before the database is asked again. */
    public static final Duration FRESH_FOR = Duration.ofSeconds(5);

    /** A lookup this recent is not repeated before a token is refused. */
    public static final Duration CONFIRMED_FOR = Duration.ofMillis(250);

    /** Operator routes called with the operator token act for no user. */
    static final Principal OPERATOR = new Principal(0, "operator", Role.ADMIN);

    private final AuthSettings settings;
    private final Tokens tokens;
    private final FreshCache<Long, Optional<User>> byId;
    private final FreshCache<String, Optional<User>> byName;
    private final byte[] opsToken;

    public Authenticator(AuthSettings settings, Tokens tokens, UserRepository users) {
        this.settings = settings;
        this.tokens = tokens;
        this.byId = new FreshCache<>(users::find, FRESH_FOR, CONFIRMED_FOR, System::nanoTime);
        this.byName = new FreshCache<>(
                name -> users.findByUsername(name).map(UserRepository.Stored::user),
                FRESH_FOR,
                CONFIRMED_FOR,
                System::nanoTime);
        this.opsToken = settings.opsToken().getBytes(StandardCharsets.UTF_8);
    }

    /** The operator token, compared in constant time; never true while none is configured. */
    public boolean isOpsToken(String credential) {
        return opsToken.length > 0 && MessageDigest.isEqual(opsToken, credential.getBytes(StandardCharsets.UTF_8));
    }

    /** For operator routes: the operator token, or an admin's token while authentication is required. */
    public Principal operator(String credential) throws SQLException {
        if (isOpsToken(credential)) {
            return OPERATOR;
        }
        if (!settings.required()) {
            throw new Tokens.Rejected("while AUTH_MODE=off, operator routes answer only the stack's OPS_TOKEN");
        }
        return user(credential);
    }

    /** For the API: a user's token, or the operator token acting as the admin account. */
    public Principal api(String credential) throws SQLException {
        if (!isOpsToken(credential)) {
            return user(credential);
        }
        Optional<User> admin = byName.get(settings.adminUsername()).filter(user -> user.role() == Role.ADMIN);
        if (admin.isEmpty()) {
            admin = byName.confirm(settings.adminUsername()).filter(user -> user.role() == Role.ADMIN);
        }
        return admin.map(User::principal)
                .orElseThrow(() -> new Tokens.Rejected("OPS_TOKEN acts as the admin account '"
                        + settings.adminUsername() + "', which does not exist;" + " set ADMIN_PASSWORD"));
    }

    /** A user's token: signature and times first, then the account as it is now (its current role and name). */
    public Principal user(String token) throws SQLException {
        Tokens.Claims claims = tokens.verify(token);
        Optional<User> known = byId.get(claims.userId());
        if (known.filter(claims::current).isEmpty()) {
            known = byId.confirm(claims.userId());
        }
        User account = known.orElseThrow(
                () -> new Tokens.Rejected("the account this token was issued to no longer exists; log in" + " again"));
        if (!claims.issuedTo(account)) {
            throw new Tokens.Rejected("this token was issued to an earlier account with the same id (the database was"
                    + " restored or the user removed); log in again");
        }
        if (!claims.passwordUnchanged(account)) {
            throw new Tokens.Rejected("the account's password changed after this token was issued; log in again");
        }
        return account.principal();
    }
}
