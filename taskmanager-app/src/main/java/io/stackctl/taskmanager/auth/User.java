package io.stackctl.taskmanager.auth;

import java.time.Instant;

/**
 * A user as the API shows it; the password hash never leaves {@link UserRepository}'s callers.
 *
 * @param credential a short fingerprint of the password hash (never shown): it changes whenever the password is set
 *     (each hash has its own salt), and tokens carry it, so setting a password ends the tokens issued before
 */
public record User(long id, String username, String email, Role role, Instant createdAt, String credential) {

    /** A user whose tokens are not bound to a password (tests, and accounts read before the fingerprint). */
    public User(long id, String username, String email, Role role, Instant createdAt) {
        this(id, username, email, role, createdAt, "");
    }

    /** The fingerprint of {@code passwordHash}: 12 characters of its SHA-256, enough to tell two hashes apart. */
    public static String credentialOf(String passwordHash) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(passwordHash.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(digest)
                    .substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    public Principal principal() {
        return new Principal(id, username, role);
    }
}
