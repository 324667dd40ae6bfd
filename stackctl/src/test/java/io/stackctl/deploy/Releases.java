package io.stackctl.deploy;

import java.time.Instant;

/** Releases as the history records them, for tests. */
final class Releases {

    private Releases() {}

    static Release release(int id, String imageId, String configHash, Release.Status status) {
        return new Release(
                id,
                Instant.parse("2026-12-01T12:00:00Z").plusSeconds(id),
                imageId,
                "stackctl/taskmanager-app:release-" + id,
                configHash,
                "env" + id,
                3,
                "rolling, batch 1",
                status,
                0,
                "",
                "declared" + id,
                java.util.List.of());
    }
}
