package io.stackctl.drill;

/**
 * How hard the faults that take a size hit: cache-loss's packet loss and db-latency's added latency and jitter.
 * Checked here, so a bad size is refused before any load or fault.
 */
public record Magnitudes(int lossPercent, int latencyMs, int jitterMs) {

    public static final Magnitudes DEFAULTS = new Magnitudes(
            CacheLossDrill.DEFAULT_LOSS_PERCENT, DbLatencyDrill.DEFAULT_LATENCY_MS, DbLatencyDrill.DEFAULT_JITTER_MS);

    public Magnitudes {
        if (lossPercent < 1 || lossPercent > 100) {
            throw new IllegalArgumentException("--loss must be 1 to 100 (percent), got " + lossPercent);
        }
        if (latencyMs < 1 || latencyMs > DbLatencyDrill.MAX_LATENCY_MS) {
            throw new IllegalArgumentException("--latency must be 1ms to " + DbLatencyDrill.MAX_LATENCY_MS
                    + "ms (the request budget is 5 s), got " + latencyMs + "ms");
        }
        if (jitterMs < 0 || jitterMs > latencyMs) {
            throw new IllegalArgumentException(
                    "--jitter must be 0 to the latency (" + latencyMs + "ms), got " + jitterMs + "ms");
        }
    }
}
