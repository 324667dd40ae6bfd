package io.stackctl.autoscale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.stackctl.core.AtomicFiles;
import io.stackctl.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Every decision of the autoscaler and how it ended, one JSON line each in {@code compose/state/<project>.autoscale}
 * (the agent writes it through its mount of compose/state; {@code status} reads it). Bounded: the oldest lines go
 * once it holds {@link #KEPT}.
 */
public final class AutoscaleJournal {

    static final int KEPT = 200;

    public record Entry(Instant at, int from, int to, String reason, String outcome) {}

    private final Path file;

    public AutoscaleJournal(Path stateDir, String project) {
        this.file = stateDir.resolve(project + ".autoscale");
    }

    public synchronized void add(Entry entry) {
        try {
            List<String> lines = new ArrayList<>(Files.exists(file) ? Files.readAllLines(file) : List.of());
            lines.add(Json.MAPPER
                    .writer()
                    .without(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(entry));
            if (lines.size() > KEPT) {
                lines = lines.subList(lines.size() - KEPT, lines.size());
            }
            AtomicFiles.writeString(file, String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The entries from {@code since} on, oldest first; a damaged line is skipped. */
    public List<Entry> since(Instant since) {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<Entry> entries = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                try {
                    Entry entry = Json.MAPPER.readValue(line, Entry.class);
                    if (!entry.at().isBefore(since)) {
                        entries.add(entry);
                    }
                } catch (JsonProcessingException damaged) {
                    // a line cut short by a full disk says nothing
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    public List<Entry> last(int count) {
        var all = since(Instant.EPOCH);
        return all.subList(Math.max(0, all.size() - count), all.size());
    }
}
