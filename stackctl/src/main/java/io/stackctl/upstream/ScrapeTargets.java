package io.stackctl.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.stackctl.core.AtomicFiles;
import io.stackctl.core.Json;
import io.stackctl.engine.ServiceContainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The replicas for the monitoring profile's Prometheus to scrape, as a file it discovers them from (file_sd:
 * compose/generated/monitoring/app.json, read again whenever it changes). Every replica that exists is listed,
 * running or not, by container name: Docker's DNS answers for a running one only, so a replica that stopped, crashed
 * or hangs is a target that is down (what ReplicaDown is for), and one that a scale removed is no target at all.
 */
final class ScrapeTargets {

    static final int METRICS_PORT = 8080;

    private final Path file;

    ScrapeTargets(Path dir) {
        this.file = dir.resolve("app.json");
    }

    /** Rewrites the file when the replicas differ from what it lists; returns true when it did. */
    boolean write(List<ServiceContainer> replicas) {
        String rendered = render(replicas);
        try {
            // Readable by Prometheus' own user, which the agent's host does not know.
            return AtomicFiles.writeStringIfChanged(file, rendered, AtomicFiles.permissions("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Prometheus' targets " + file, e);
        }
    }

    static String render(List<ServiceContainer> replicas) {
        var groups = replicas.stream()
                .sorted(Comparator.comparingInt(ServiceContainer::number))
                .map(replica -> Map.of(
                        "targets", List.of(replica.name() + ":" + METRICS_PORT),
                        "labels", Map.of("instance", replica.name())))
                .toList();
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(groups) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render Prometheus' targets", e);
        }
    }
}
