package io.stackctl.taskmanager.auth;

import io.stackctl.taskmanager.task.Scope;

/** Who a request acts for, as its token (or the unauthenticated mode) says. */
public record Principal(long userId, String username, Role role) {

    /** Owner of the tasks from before users, and of every request when authentication is off. */
    public static final Principal DEFAULT_OWNER = new Principal(1, "default", Role.USER);

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    public Scope scope() {
        return isAdmin() ? Scope.everyone(userId) : Scope.own(userId);
    }
}
