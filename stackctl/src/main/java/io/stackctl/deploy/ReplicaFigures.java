package io.stackctl.deploy;

import java.util.Map;

/**
 * What a set of replicas answered over a window, from Prometheus: per route (as {@code GET /tasks/{id}}) the API
 * requests and the 5xx among them, and their p99 in milliseconds (null with no request); and the whole stack's
 * requests and 5xx over the same window.
 */
record ReplicaFigures(Map<String, Count> routes, Double p99Ms, Count stack) {

    record Count(double requests, double errors) {
        static final Count NONE = new Count(0, 0);

        /** Answers that were not 5xx, in percent; null with no request. */
        Double successPercent() {
            return requests <= 0 ? null : 100 * (1 - errors / requests);
        }

        Double errorPercent() {
            return requests <= 0 ? null : 100 * errors / requests;
        }
    }

    static final ReplicaFigures NONE = new ReplicaFigures(Map.of(), null, Count.NONE);

    Count all() {
        return new Count(
                routes.values().stream().mapToDouble(Count::requests).sum(),
                routes.values().stream().mapToDouble(Count::errors).sum());
    }
}
