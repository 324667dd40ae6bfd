package io.stackctl.backup;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * A point-in-time restore in progress ({@code compose/state/<project>.pitr.json}), from before the database is
 * stopped until the new timeline is safe in the repository: a stackctl killed in between leaves it, and the next
 * {@code up} or {@code restore} runs the restore again to the same target. Each step can run again: the data
 * directory is rewritten with --delta, and the API stays out of service until the end, so nothing is written on the
 * new timeline meanwhile.
 */
public final class PointInTimeJournal {

    public record Entry(
            @JsonProperty("kind") String kind,
            @JsonProperty("value") String value,
            @JsonProperty("started_at") Instant startedAt) {

        PointInTimeRestore.Target target() {
            return new PointInTimeRestore.Target(PointInTimeRestore.Kind.valueOf(kind), value);
        }
    }

    private final JournalFile<Entry> file;

    public PointInTimeJournal(Path stateDir, String project) {
        this.file = new JournalFile<>(stateDir.resolve(project + ".pitr.json"), Entry.class);
    }

    public void begin(PointInTimeRestore.Target target, Instant now) {
        file.write(new Entry(target.kind().name(), target.value(), now));
    }

    public Optional<Entry> find() {
        try {
            return file.read();
        } catch (IOException | IllegalArgumentException e) {
            throw new io.stackctl.core.StackctlException(
                    io.stackctl.core.ExitCodes.PRECONDITION,
                    "a point-in-time restore was interrupted, and its journal " + file.path() + " cannot be read",
                    "run the restore again with its target (bin/stackctl restore --to-time ...), then delete "
                            + file.path());
        }
    }

    public void end() {
        file.delete();
    }
}
