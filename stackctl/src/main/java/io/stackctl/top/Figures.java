package io.stackctl.top;

/**
 * What {@code top} shows of a replica or of the stack over one refresh. A figure is null when it cannot be known:
 * no request in the window (no error ratio, no latency), a first scrape (no rate yet), a source that does not say.
 */
public record Figures(
        Double requestsPerSecond,
        Double errorRatio,
        Double p50Millis,
        Double p99Millis,
        Double poolActive,
        Double poolMax,
        Double poolWaiting,
        Double cacheHitRatio,
        boolean circuitOpen) {

    /** Nothing known yet: the replica's first scrape, or one that failed. */
    public static final Figures UNKNOWN = new Figures(null, null, null, null, null, null, null, null, false);
}
