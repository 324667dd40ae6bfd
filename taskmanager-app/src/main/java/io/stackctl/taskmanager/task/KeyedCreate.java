package io.stackctl.taskmanager.task;

/**
 * What a create carrying an {@code Idempotency-Key} did: made the task, found the task an earlier request with
 * the same key and body made, or found the key taken by a different request.
 */
public record KeyedCreate(Task task, Result result) {

    public enum Result {
        CREATED,
        REPLAYED,
        KEY_REUSED
    }

    public static KeyedCreate keyReused() {
        return new KeyedCreate(null, Result.KEY_REUSED);
    }
}
