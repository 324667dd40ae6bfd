package io.stackctl.taskmanager.task;

/**
 * Whose tasks a request may read and change: its own user's, or everyone's (an admin). New tasks always belong
 * to {@link #userId}. A task outside the scope is answered as absent, so nobody learns that another's id exists.
 */
public record Scope(long userId, boolean everyone) {

    public static Scope own(long userId) {
        return new Scope(userId, false);
    }

    public static Scope everyone(long userId) {
        return new Scope(userId, true);
    }

    /** The part of cache keys that separates one scope's lists from another's. */
    public String cacheTag() {
        return everyone ? "all" : "u" + userId;
    }
}
