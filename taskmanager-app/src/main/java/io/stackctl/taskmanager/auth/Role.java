package io.stackctl.taskmanager.auth;

import java.util.Optional;

/** What a user may do: {@code user} owns tasks; {@code admin} sees everyone's and may use the operator routes. */
public enum Role {
    USER,
    ADMIN;

    public String wire() {
        return name().toLowerCase();
    }

    public static Optional<Role> fromWire(String value) {
        for (Role role : values()) {
            if (role.wire().equals(value)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
