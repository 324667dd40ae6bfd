package io.stackctl.secrets;

import java.time.Instant;

/**
 * One rotation of a stack secret, as {@code releases} lists it.
 *
 * @param from the key or credential that was in use (an id, never a secret)
 * @param to the one in use after it
 * @param retireAt when {@code from} stops being accepted
 */
public record Rotation(
        Instant at,
        String secret,
        String from,
        String to,
        Instant retireAt,
        Status status,
        long durationMs,
        String note) {

    public enum Status {
        /** Under way, or its stackctl stopped before it finished (the next rotation marks it interrupted). */
        rotating,
        done,
        failed,
        interrupted
    }

    public Rotation ended(Status newStatus, long newDurationMs, String newNote) {
        return new Rotation(at, secret, from, to, retireAt, newStatus, newDurationMs, newNote);
    }
}
