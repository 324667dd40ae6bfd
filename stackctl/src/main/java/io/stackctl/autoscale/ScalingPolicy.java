package io.stackctl.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * When to change the replica count, Kubernetes' HPA's way: the count a reading asks for is the current one times the
 * reading over the target, rounded up, within AUTOSCALE's bounds, and no change within 10% of the target. Out as soon as
 * every reading of the last {@link #WINDOW} (three at least) is above the target, to what their median asks for, at
 * most twice as many or four more (HPA's default pace); in only when every reading of the last
 * AUTOSCALE_SCALE_IN_AFTER asked for fewer (each with the two before it, by their median), to what their mean asks
 * for, or the latest three if they ask for more (Knative sizes by a window's mean too), and not while the latest ask
 * for fewer still (a load still falling: at most one more window). After a change the
 * readings start again: the new replicas' load is a new measurement. That hysteresis is what keeps it from flapping.
 */
public final class ScalingPolicy {

    static final double TOLERANCE = 0.10;
    public static final Duration WINDOW = Duration.ofSeconds(20);
    static final int READINGS_TO_SCALE_OUT = 3;

    public record Decision(int from, int to, String reason) {
        public boolean out() {
            return to > from;
        }
    }

    private final AutoscaleSettings settings;
    private final Deque<Observation> readings = new ArrayDeque<>();
    private Instant since;
    /** Since when a scale-in has waited for a falling load to settle; null while none waits. */
    private Instant fallingSince;

    public ScalingPolicy(AutoscaleSettings settings, Instant start) {
        this.settings = settings;
        this.since = start;
    }

    /** Takes one reading; the change it calls for, if any. */
    public Optional<Decision> observe(Observation reading) {
        readings.addLast(reading);
        Instant oldest =
                reading.at().minus(settings.scaleInAfter().compareTo(WINDOW) > 0 ? settings.scaleInAfter() : WINDOW);
        while (readings.size() > 1 && readings.peekFirst().at().isBefore(oldest)) {
            readings.removeFirst();
        }
        int current = reading.replicas();
        if (current < 1) {
            return Optional.empty();
        }
        if (!settings.admits(current)) {
            return Optional.of(new Decision(
                    current,
                    settings.clamp(current),
                    current + " replicas, outside " + AutoscaleSettings.RANGE + "=" + settings.min() + ":"
                            + settings.max()));
        }
        return scaleOut(reading, current).or(() -> scaleIn(reading, current));
    }

    /** The replicas changed (by this policy or anyone): readings of the old count say nothing of the new one. */
    public void changed(Instant at) {
        readings.clear();
        since = at;
        fallingSince = null;
    }

    private Optional<Decision> scaleOut(Observation latest, int current) {
        Instant from = latest.at().minus(WINDOW);
        var recent = readings.stream()
                .filter(r -> !r.at().isBefore(from) && r.replicas() == current)
                .toList();
        if (recent.size() < READINGS_TO_SCALE_OUT) {
            return Optional.empty();
        }
        // Out only when every recent reading is above the target, never on one noisy reading; as far as their
        // median asks, so one low reading among them does not leave the stack short.
        double floor = settings.target().value() * (1 + TOLERANCE);
        if (recent.stream().anyMatch(r -> r.reading() <= floor)) {
            return Optional.empty();
        }
        double median = median(recent);
        int wanted = Math.min(desired(current, median), Math.max(current * 2, current + 4));
        if (wanted <= current) {
            return Optional.empty();
        }
        return Optional.of(new Decision(
                current,
                wanted,
                settings.target().format(median) + " (median) for " + WINDOW.toSeconds() + " s, above the target "
                        + settings.target()));
    }

    private Optional<Decision> scaleIn(Observation latest, int current) {
        Instant waitedSince = fallingSince;
        fallingSince = null; // kept only by a reading that waits again
        Instant from = latest.at().minus(settings.scaleInAfter());
        if (since.isAfter(from) || readings.peekFirst().at().isAfter(from.plus(WINDOW))) {
            return Optional.empty(); // not yet a whole window of readings of this count
        }
        // Each reading with the two before it, by their median: one noisy reading neither holds it back nor counts.
        var window = readings.stream().filter(r -> !r.at().isBefore(from)).toList();
        if (window.stream().anyMatch(r -> r.replicas() != current)) {
            return Optional.empty();
        }
        int most = 0;
        for (int end = Math.min(3, window.size()); end <= window.size(); end++) {
            most = Math.max(most, desired(current, median(window.subList(Math.max(0, end - 3), end))));
        }
        if (most >= current) {
            return Optional.empty();
        }
        // Every reading asked for fewer: as many as the window's mean asks for, or the latest readings if they ask for
        // more. Not the most any reading asked for: the reading that straddled a spike's end asks for a count between,
        // and going there first, then lower a window later, was two decisions where one was right (CI: 4 -> 3 -> 2).
        double mean =
                window.stream().mapToDouble(Observation::reading).average().orElse(0);
        double latest3 = median(window.subList(Math.max(0, window.size() - 3), window.size()));
        int lately = desired(current, latest3);
        int to = Math.max(desired(current, mean), lately);
        if (to >= current) {
            return Optional.empty();
        }
        // The latest readings ask for fewer than the window's mean: the load is still falling, and the mean is a count
        // between the load before and the load now. Going there was two steps where one was right (CI, a busy host: a
        // spike served at 18 req/s a replica, then 5: 4 -> 3, then 3 -> 2). So wait, at most one more window, for
        // the window to hold the load as it is now.
        if (lately < to) {
            fallingSince = waitedSince == null ? latest.at() : waitedSince;
            if (latest.at().isBefore(fallingSince.plus(settings.scaleInAfter()))) {
                return Optional.empty();
            }
            fallingSince = null;
        }
        return Optional.of(new Decision(
                current,
                to,
                settings.target().format(mean) + " on average over "
                        + settings.scaleInAfter().toSeconds() + " s, "
                        + settings.target().format(latest3) + " lately, below the target " + settings.target()));
    }

    private static double median(java.util.List<Observation> readings) {
        double[] sorted =
                readings.stream().mapToDouble(Observation::reading).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /** HPA's formula, within the tolerance and the bounds. */
    int desired(int current, double reading) {
        double ratio = reading / settings.target().value();
        if (Math.abs(ratio - 1) <= TOLERANCE) {
            return current;
        }
        return settings.clamp((int) Math.ceil(current * ratio - 1e-9));
    }
}
