package io.stackctl.drill;

/**
 * One request of the drill's load, as the client saw it.
 *
 * @param startMs when it was sent, in ms since the load started
 * @param status the HTTP status, or 0 when no answer came (refused, reset, timed out)
 * @param instance the replica that answered ({@code X-Instance}), or empty
 * @param source for reads, where the answer came from ({@code cache} or {@code database}), or empty
 * @param createdId the id of an acknowledged create, or 0
 */
public record Sample(
        long startMs,
        long latencyMs,
        String kind,
        boolean idempotent,
        int status,
        String instance,
        String source,
        long createdId,
        boolean timedOut) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    public boolean failed() {
        return !ok();
    }

    public long endMs() {
        return startMs + latencyMs;
    }
}
