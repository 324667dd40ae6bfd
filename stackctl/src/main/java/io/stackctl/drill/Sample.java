package io.stackctl.drill;

/**
 * One request of the drill's load, as the client saw it.
 *
 * @param startMs when it was sent, in ms since the load started
 * @param status the HTTP status, or 0 when no answer came (refused, reset, timed out)
 * @param instance the replica that answered ({@code X-Instance}), or empty
 * @param source for reads, where the answer came from ({@code cache} or {@code database}), or empty
 * @param createdId the id of an acknowledged create, or 0
 * @param detail for a failure, what the client got: the start of the error body or the transport error
 * @param upstreamLostMs the time nginx spent on replicas that failed it before another answered ({@code
 *     X-Upstream-Times}, all but the last): 0 when the first one answered; -1 when nginx did not say (no answer, or an
 *     nginx configuration from before the header)
 * @param dbMs what the replica's {@code Server-Timing} says the answer spent on the database: 0 when it used none; -1
 *     when it did not say (no answer, or an app from before the header)
 * @param appMs the request's whole time in the replica, by its {@code Server-Timing} ("app"): what a busy host's
 *     nginx and client add is not in it; -1 when it did not say
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
        boolean timedOut,
        String detail,
        long upstreamLostMs,
        double dbMs,
        double appMs) {

    /** A sample whose answer did not say what it spent on the database. */
    public Sample(
            long startMs,
            long latencyMs,
            String kind,
            boolean idempotent,
            int status,
            String instance,
            String source,
            long createdId,
            boolean timedOut,
            String detail,
            long upstreamLostMs) {
        this(
                startMs,
                latencyMs,
                kind,
                idempotent,
                status,
                instance,
                source,
                createdId,
                timedOut,
                detail,
                upstreamLostMs,
                -1,
                -1);
    }

    /**
     * The "db" duration of a {@code Server-Timing} value ("app;dur=2.1, db;dur=0.8"), in ms: 0 when the value has no
     * db metric (the answer used no database), -1 when there is no value.
     */
    public static double dbMs(String serverTiming) {
        return serverTiming.isBlank() ? -1 : duration(serverTiming, "db", 0);
    }

    /** The "app" duration of a {@code Server-Timing} value, in ms; -1 when there is none. */
    public static double appMs(String serverTiming) {
        return duration(serverTiming, "app", -1);
    }

    private static double duration(String serverTiming, String name, double absent) {
        for (String metric : serverTiming.split(",")) {
            String[] parts = metric.strip().split("\\s*;\\s*");
            if (!parts[0].equals(name)) {
                continue;
            }
            for (String parameter : parts) {
                if (parameter.startsWith("dur=")) {
                    try {
                        return Double.parseDouble(parameter.substring(4));
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
        }
        return absent;
    }

    /** The time the replica says it took, or the client's whole wait where it did not say. */
    public double replicaMs() {
        return appMs >= 0 ? appMs : latencyMs;
    }

    /**
     * The time an {@code X-Upstream-Times} value ("1.001, 0.012", nginx's $upstream_response_time) says went to
     * replicas before the one that answered; -1 when there is none or it does not parse.
     */
    public static long lostMs(String upstreamTimes) {
        if (upstreamTimes.isBlank()) {
            return -1;
        }
        String[] times = upstreamTimes.strip().split("\\s*[,:]\\s*");
        double lost = 0;
        for (int i = 0; i < times.length - 1; i++) {
            if (!times[i].matches("[0-9]+(\\.[0-9]+)?")) {
                continue; // "-": nginx never reached that one
            }
            lost += Double.parseDouble(times[i]);
        }
        return Math.round(lost * 1000);
    }

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    public boolean failed() {
        return !ok();
    }

    public long endMs() {
        return startMs + latencyMs;
    }

    /** One line an operator can match against the nginx and replica logs of the same moment. */
    public String describe() {
        String answer = status == 0 ? (timedOut ? "no answer (timed out)" : "no answer") : "HTTP " + status;
        String via = instance.isEmpty() ? "" : " from " + instance;
        String what = detail.isEmpty() ? "" : ": " + detail;
        return "%s at %d ms, %s%s after %d ms%s".formatted(kind, startMs, answer, via, latencyMs, what);
    }
}
