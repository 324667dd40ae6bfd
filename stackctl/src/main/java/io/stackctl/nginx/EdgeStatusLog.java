package io.stackctl.nginx;

import io.stackctl.core.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * nginx's second access log, on while the monitoring profile runs: one short line per request (status, the time, the
 * replicas' statuses) into the edge-log volume, which the profile's edge-exporter (mtail) shares, counting nginx's
 * answers by status for Prometheus: the 502s, 504s and 429s nginx answers by itself, which no replica's metrics see.
 * A file per 10 s of the clock (epoch seconds / 10, from {@code $msec}, whatever the zone): edge-exporter makes each
 * ahead, so mtail reads it from its first line, and removes it once over (compose/monitoring/edge-exporter.sh).
 * nginx.conf includes {@code compose/generated/monitoring/*.nginx}; with the profile off the file is gone and nginx
 * logs to stdout alone. Its own health checks are not counted.
 */
public final class EdgeStatusLog {

    public static final String FILE = "edge-status.nginx";

    static final String CONTENT = """
            # Written by stackctl while the monitoring profile runs (compose/monitoring/edge-exporter.sh reads it).
            map $uri $edge_status_counted {
                /nginx-health 0;
                default 1;
            }
            map $msec $edge_status_slot {
                "~^(?<slot>\\d+)\\d\\." $slot;
            }
            log_format edge_status '$status $request_time $upstream_status';
            # A path with a variable is opened per line unless cached; a slot's file takes no line once it is over.
            open_log_file_cache max=8 inactive=20s valid=1m;
            access_log /run/edge/edge-$edge_status_slot.log edge_status if=$edge_status_counted;
            """;

    private final Path file;
    /** What a running nginx last loaded of it: a command killed between the write and the reload leaves it stale. */
    private final Path loaded;

    public EdgeStatusLog(Path monitoringDir) {
        this.file = monitoringDir.resolve(FILE);
        this.loaded = monitoringDir.resolve(FILE + ".loaded");
    }

    /**
     * Writes the include (profile on) or removes it (off); true when a running nginx has yet to load that: it changed
     * now, or an earlier command changed it and was stopped before it reloaded nginx.
     */
    public boolean set(boolean on) {
        try {
            if (on) {
                Files.createDirectories(file.getParent());
                AtomicFiles.writeStringIfChanged(file, CONTENT, AtomicFiles.permissions("rw-r--r--"));
                return !Files.isRegularFile(loaded) || !Files.readString(loaded).equals(CONTENT);
            }
            Files.deleteIfExists(file);
            return Files.exists(loaded);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Every running nginx reloaded what {@link #set} wrote. */
    public void loaded() {
        try {
            if (Files.isRegularFile(file)) {
                AtomicFiles.writeString(loaded, Files.readString(file));
            } else {
                Files.deleteIfExists(loaded);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + loaded, e);
        }
    }
}
