package io.stackctl.upstream;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which replicas stay in rotation, from their {@code /ready} probes: one that served leaves after {@link #OUT}
 * failed probes in a row (a single slow answer on a busy host does not empty the upstream), and comes back after one
 * good one. A replica the agent has not seen serve, because it is new or because its process started again since
 * (a crash the restart policy undid), stays out from its first failed probe: nothing of the process that served is
 * left to wait for, and every request nginx sends it meanwhile meets a closed port or a cold JVM.
 */
final class ReplicaStrikes {

    static final int OUT = 2;

    private final Map<String, Integer> failures = new HashMap<>();
    private final Map<String, Instant> started = new HashMap<>();

    /** Records a probe of the replica {@code id}, whose process started at {@code startedAt}; true when it serves. */
    boolean record(String id, Optional<Instant> startedAt, boolean ready) {
        startedAt.ifPresent(at -> {
            Instant before = started.put(id, at);
            if (before != null && !before.equals(at)) {
                failures.remove(id);
            }
        });
        int failed = ready ? 0 : failures.getOrDefault(id, OUT - 1) + 1;
        failures.put(id, failed);
        return failed < OUT;
    }

    /** A replica in rotation failed its last probe, and one more takes it out. */
    boolean suspect() {
        return failures.values().stream().anyMatch(failed -> failed > 0 && failed < OUT);
    }

    /** Forgets the replicas that are gone. */
    void retain(Set<String> ids) {
        failures.keySet().retainAll(ids);
        started.keySet().retainAll(ids);
    }
}
