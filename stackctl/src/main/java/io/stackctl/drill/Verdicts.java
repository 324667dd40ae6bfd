package io.stackctl.drill;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** The measurements drills judge by; pure functions of the samples, so they are unit-tested. */
public final class Verdicts {

    private Verdicts() {}

    public static List<Sample> between(List<Sample> samples, long fromMs, long toMs) {
        return samples.stream()
                .filter(s -> s.startMs() >= fromMs && s.startMs() < toMs)
                .toList();
    }

    /** Requests that both started and ended inside [fromMs, toMs): none of them could see what came after toMs. */
    public static List<Sample> endedWithin(List<Sample> samples, long fromMs, long toMs) {
        return samples.stream()
                .filter(s -> s.startMs() >= fromMs && s.startMs() + s.latencyMs() < toMs)
                .toList();
    }

    /**
     * How long after {@code fromMs} requests were still affected: the start of the last one, relative to
     * {@code fromMs}, that failed, or that nginx held longer than {@code lostMs} on replicas which failed it before
     * another answered ({@link Sample#upstreamLostMs()}); 0 when none was. A refused connection costs a retry a
     * millisecond and nobody notices; a request slow on the replica that answered is the busy host, not the fault.
     * Where nginx did not say, a request slower than {@code slowMs} counts, as it may have waited on a dead one.
     */
    public static long affectedFor(List<Sample> samples, long fromMs, long lostMs, long slowMs) {
        return samples.stream()
                .filter(s -> s.startMs() >= fromMs)
                .filter(s ->
                        s.failed() || s.upstreamLostMs() > lostMs || (s.upstreamLostMs() < 0 && s.latencyMs() > slowMs))
                .mapToLong(s -> s.startMs() - fromMs)
                .max()
                .orElse(0);
    }

    /** The first request started at or after {@code fromMs} that matches, relative to {@code fromMs}. */
    public static Optional<Long> firstAfter(List<Sample> samples, long fromMs, Predicate<Sample> match) {
        return samples.stream()
                .filter(s -> s.startMs() >= fromMs)
                .filter(match)
                .map(s -> s.startMs() - fromMs)
                .min(Long::compare);
    }

    /** Ids of acknowledged creates: the writes the database must still hold. */
    public static List<Long> acknowledgedIds(List<Sample> samples) {
        return samples.stream().map(Sample::createdId).filter(id -> id > 0).toList();
    }

    public static long count(List<Sample> samples, Predicate<Sample> match) {
        return samples.stream().filter(match).count();
    }

    public static long maxLatency(List<Sample> samples) {
        return samples.stream().mapToLong(Sample::latencyMs).max().orElse(0);
    }
}
