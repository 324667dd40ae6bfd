package io.stackctl.taskmanager.auth;

import java.time.Instant;

/** A user as the API shows it; the password hash never leaves {@link UserRepository}'s callers. */
public record User(long id, String username, String email, Role role, Instant createdAt) {

    public Principal principal() {
        return new Principal(id, username, role);
    }
}
