package io.stackctl.drill;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How hard the faults that take a size hit: cache-loss's packet loss, the latency drills' added latency and jitter
 * ({@link #DRILL_DEFAULT}: each drill's own), and the bandwidth db-latency may add (0: none). Checked here and as the
 * drills are made, so a bad size is refused before any load or fault.
 */
public record Magnitudes(int lossPercent, int latencyMs, int jitterMs, int bandwidthKbit) {

    /** A latency or jitter not given: each drill uses its own default. */
    public static final int DRILL_DEFAULT = -1;

    private static final Pattern RATE = Pattern.compile("(\\d+)(kbit|mbit|gbit)");

    public Magnitudes {
        if (lossPercent < 1 || lossPercent > 100) {
            throw new IllegalArgumentException("--loss must be 1 to 100 (percent), got " + lossPercent);
        }
        if (latencyMs != DRILL_DEFAULT && (latencyMs < 1 || latencyMs > DbLatencyDrill.MAX_LATENCY_MS)) {
            throw new IllegalArgumentException("--latency must be 1ms to " + DbLatencyDrill.MAX_LATENCY_MS
                    + "ms (the request budget is 5 s), got " + latencyMs + "ms");
        }
        if (jitterMs != DRILL_DEFAULT && (jitterMs < 0 || latencyMs != DRILL_DEFAULT && jitterMs > latencyMs)) {
            throw new IllegalArgumentException(
                    "--jitter must be 0 to the latency (" + latencyMs + "ms), got " + jitterMs + "ms");
        }
        if (bandwidthKbit != 0 && (bandwidthKbit < 8 || bandwidthKbit > 10_000_000)) {
            throw new IllegalArgumentException("--bandwidth must be 8kbit to 10gbit, got " + bandwidthKbit + "kbit");
        }
    }

    /** The latency asked for, or the drill's own default. */
    public int latencyOr(int drillDefault) {
        return latencyMs == DRILL_DEFAULT ? drillDefault : latencyMs;
    }

    /** The jitter asked for, or the drill's own default (never above the latency: a 20 ms latency gets 20 at most). */
    public int jitterOr(int drillDefault) {
        return jitterMs == DRILL_DEFAULT ? Math.min(drillDefault, latencyOr(Integer.MAX_VALUE)) : jitterMs;
    }

    /** {@code 64kbit}, {@code 2mbit}, {@code 1gbit} as kbit/s; empty or {@code none}: 0 (no limit). */
    public static int kbit(String rate) {
        String text = rate == null ? "" : rate.strip().toLowerCase(Locale.ROOT);
        if (text.isEmpty() || text.equals("none")) {
            return 0;
        }
        Matcher matcher = RATE.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("--bandwidth must be like 64kbit, 2mbit or 1gbit, got '" + rate + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        long kbit = switch (matcher.group(2)) {
            case "kbit" -> amount;
            case "mbit" -> amount * 1_000;
            default -> amount * 1_000_000;
        };
        return (int) Math.min(Integer.MAX_VALUE, kbit);
    }
}
