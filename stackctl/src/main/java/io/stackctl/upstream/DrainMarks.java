package io.stackctl.upstream;

import io.stackctl.core.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Replicas on their way out (scale down, deploy, down): stackctl marks them before it takes them out of nginx, so
 * the upstream agent does not put a draining replica, still healthy, back in. One line per container id with the
 * time it was marked; a mark older than {@link #EXPIRY} is ignored, so a stackctl killed mid-drain cannot keep a
 * replica out of rotation for good.
 */
public final class DrainMarks {

    static final Duration EXPIRY = Duration.ofMinutes(2);

    private final Path file;

    public DrainMarks(Path upstreamDir) {
        this.file = upstreamDir.resolve("draining");
    }

    /** The container ids marked within the last {@link #EXPIRY}. */
    public Set<String> active(Instant now) {
        return read().entrySet().stream()
                .filter(e -> e.getValue().plus(EXPIRY).isAfter(now))
                .map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
    }

    public void mark(Collection<String> containerIds, Instant now) {
        var marks = read();
        containerIds.forEach(id -> marks.put(id, now));
        write(marks);
    }

    public void unmark(Collection<String> containerIds) {
        var marks = read();
        containerIds.forEach(marks::remove);
        write(marks);
    }

    private Map<String, Instant> read() {
        Map<String, Instant> marks = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return marks;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.strip().split("\\s+");
                if (parts.length == 2 && parts[0].matches("[0-9a-f]{12,64}") && parts[1].matches("[0-9]{1,15}")) {
                    marks.put(parts[0], Instant.ofEpochMilli(Long.parseLong(parts[1])));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return marks;
    }

    private void write(Map<String, Instant> marks) {
        var text = new StringBuilder();
        marks.forEach((id, at) ->
                text.append(id).append(' ').append(at.toEpochMilli()).append('\n'));
        try {
            AtomicFiles.writeString(file, text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
