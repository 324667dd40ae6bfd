package io.stackctl.prometheus;

import io.stackctl.core.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bench or drill recorded in Prometheus with no pushgateway: while it runs, a file of its own in
 * {@code compose/generated/runs} holds {@code stackctl_run_active{kind,name,run} 1} and its start, which the monitoring
 * profile's node_exporter (textfile collector) serves at every scrape; the file goes when the run ends, and so does the
 * series. A run killed before it ended leaves its file: the next run, or {@link #sweep}, removes those whose process is
 * gone. Grafana can annotate a dashboard with {@code stackctl_run_active == 1}.
 */
public final class RunMarks {

    private static final Pattern FILE = Pattern.compile("run-(\\d+)-\\d+\\.prom");

    private final Path dir;

    public RunMarks(Path dir) {
        this.dir = dir;
    }

    /** One run's mark: closing it removes the file. */
    public final class Mark implements AutoCloseable {
        private final Path file;
        private final String run;

        private Mark(Path file, String run) {
            this.file = file;
            this.run = run;
        }

        /** The run's label value, as Prometheus has it. */
        public String run() {
            return run;
        }

        @Override
        public void close() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // left for the next run's sweep, which removes marks of processes that are gone
            }
        }
    }

    /**
     * Marks a run of {@code kind} (bench, drill) named {@code name} from now on; empty when the folder cannot be
     * written (no stack set up here): the run goes on unrecorded.
     */
    public java.util.Optional<Mark> start(String kind, String name) {
        sweep();
        Instant started = Instant.now();
        long pid = ProcessHandle.current().pid();
        String run = kind + "-" + name + "-" + started.getEpochSecond();
        Path file = dir.resolve("run-" + pid + "-" + started.toEpochMilli() + ".prom");
        String labels = "kind=\"" + escape(kind) + "\",name=\"" + escape(name) + "\",run=\"" + escape(run) + "\"";
        String text = "# HELP stackctl_run_active 1 while a stackctl bench or drill runs against the stack\n"
                + "# TYPE stackctl_run_active gauge\n"
                + "stackctl_run_active{" + labels + "} 1\n"
                + "# HELP stackctl_run_started_timestamp_seconds When that run began\n"
                + "# TYPE stackctl_run_started_timestamp_seconds gauge\n"
                + "stackctl_run_started_timestamp_seconds{" + labels + "} "
                + String.format(Locale.ROOT, "%.3f", started.toEpochMilli() / 1000.0) + "\n";
        try {
            if (!Files.isDirectory(dir)) {
                return java.util.Optional.empty();
            }
            // Whole or not at all: the collector must never read half a file (it would drop every mark).
            AtomicFiles.writeString(
                    file, text, AtomicFiles.permissions("rw-r--r--")); // the exporter runs as its own user
            return java.util.Optional.of(new Mark(file, run));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** Removes the marks of runs whose process is gone (killed before they ended); returns the files removed. */
    public List<Path> sweep() {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "run-*.prom")) {
            for (Path file : files) {
                Matcher name = FILE.matcher(file.getFileName().toString());
                if (name.matches()
                        && ProcessHandle.of(Long.parseLong(name.group(1)))
                                .map(ProcessHandle::isAlive)
                                .orElse(false)) {
                    continue;
                }
                Files.deleteIfExists(file);
                removed.add(file);
            }
        } catch (IOException e) {
            // unreadable: nothing to sweep
        }
        return removed;
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
