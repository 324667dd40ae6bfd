package io.stackctl.perf;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** Feeders over the seeded task ids. */
final class TaskIds {

    private final List<Long> ids;

    TaskIds(List<Long> ids) {
        if (ids.isEmpty()) {
            throw new IllegalStateException("no seeded tasks: the runner seeds them before a simulation");
        }
        this.ids = List.copyOf(ids);
    }

    Iterator<Map<String, Object>> random() {
        return Stream.generate(() -> Map.<String, Object>of(
                        "id", ids.get(ThreadLocalRandom.current().nextInt(ids.size()))))
                .iterator();
    }

    /** Each id once, then round again (only when the run needs more reads than there are tasks). */
    Iterator<Map<String, Object>> eachOnce() {
        var next = new AtomicInteger();
        return Stream.generate(() -> Map.<String, Object>of("id", ids.get(next.getAndIncrement() % ids.size())))
                .iterator();
    }
}
