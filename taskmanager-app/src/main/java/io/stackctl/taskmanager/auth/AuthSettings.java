package io.stackctl.taskmanager.auth;

import java.time.Duration;

/**
 * How requests are authenticated. {@code required}: the API wants a bearer token, the page a session cookie.
 * {@code off}: every request acts as the default owner (for benchmarks of the bare stack); operator routes stay
 * closed to the outside either way.
 *
 * @param requestsPerSecond per user, shared by every replica; 0 turns the limit off; admins are not limited
 * @param adminPassword when set, the account {@code adminUsername} exists with this password and the admin role
 * @param opsToken the stack's operator credential (stackctl's): operator routes, and the API as the admin account;
 *     empty: operator routes answer an admin's token only
 * @param jwtKeysFile the token key ring's file ({@link KeyRing}); while it is empty or absent, JWT_SECRET alone
 */
public record AuthSettings(
        boolean required,
        String jwtSecret,
        Duration tokenTtl,
        Duration clockSkew,
        String adminUsername,
        String adminPassword,
        int requestsPerSecond,
        int loginAttemptsPerMinute,
        String opsToken,
        String jwtKeysFile) {

    /** Token keys from JWT_SECRET alone. */
    public AuthSettings(
            boolean required,
            String jwtSecret,
            Duration tokenTtl,
            Duration clockSkew,
            String adminUsername,
            String adminPassword,
            int requestsPerSecond,
            int loginAttemptsPerMinute,
            String opsToken) {
        this(
                required,
                jwtSecret,
                tokenTtl,
                clockSkew,
                adminUsername,
                adminPassword,
                requestsPerSecond,
                loginAttemptsPerMinute,
                opsToken,
                "");
    }

    /** The key ring in force: JWT_KEYS_FILE's, polled, when it is set, else JWT_SECRET's one key. */
    public KeyRingSource keyRing() {
        return jwtKeysFile.isBlank()
                ? KeyRingSource.fixed(jwtSecret)
                : KeyRingSource.watching(java.nio.file.Path.of(jwtKeysFile), jwtSecret);
    }

    public static final int MIN_SECRET_LENGTH = 32;
    public static final int MIN_ADMIN_PASSWORD_LENGTH = 12;
    public static final int DEFAULT_TTL_MINUTES = 60;
    public static final int DEFAULT_CLOCK_SKEW_SECONDS = 30;
    public static final int DEFAULT_REQUESTS_PER_SECOND = 100;
    public static final int DEFAULT_LOGIN_ATTEMPTS_PER_MINUTE = 10;

    /** Never prints the secrets. */
    @Override
    public String toString() {
        return required
                ? "required (token ttl %ds, skew %ds, %s, admin %s)"
                        .formatted(
                                tokenTtl.toSeconds(),
                                clockSkew.toSeconds(),
                                requestsPerSecond == 0 ? "no rate limit" : requestsPerSecond + " req/s per user",
                                adminPassword.isEmpty() ? "none" : adminUsername)
                : "off (every request is user 'default')";
    }
}
