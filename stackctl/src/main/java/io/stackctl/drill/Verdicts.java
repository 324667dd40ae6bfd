package io.stackctl.drill;

import java.util.Collection;
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
     * How long after {@code fromMs} requests were still affected (failed, or slower than {@code slowMs}): the
     * start of the last affected request, relative to {@code fromMs}; 0 when none was.
     */
    public static long affectedFor(List<Sample> samples, long fromMs, long slowMs) {
        return samples.stream()
                .filter(s -> s.startMs() >= fromMs)
                .filter(s -> s.failed() || s.latencyMs() > slowMs)
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

    public static long lost(Collection<Long> acknowledged, long foundInDatabase) {
        return acknowledged.size() - foundInDatabase;
    }

    public static long count(List<Sample> samples, Predicate<Sample> match) {
        return samples.stream().filter(match).count();
    }

    public static long maxLatency(List<Sample> samples) {
        return samples.stream().mapToLong(Sample::latencyMs).max().orElse(0);
    }
}
