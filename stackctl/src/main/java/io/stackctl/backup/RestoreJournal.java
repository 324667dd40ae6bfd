package io.stackctl.backup;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.stackctl.postgres.PostgresContainer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * A restore in progress, on disk ({@code compose/state/<project>.restore.json}) from before the API goes out of
 * service until it is back: a restore whose stackctl was killed leaves it behind, so the next command sees it.
 * Whether that restore committed is not guessed from here: its own transaction labels the public schema with its
 * session ({@link PostgresContainer#committed}).
 */
public final class RestoreJournal {

    /** {@code dumpVersion}/{@code liveVersion}: the schemas, for the migration an older dump needs. */
    public record Entry(
            @JsonProperty("session") String session,
            @JsonProperty("backup") String backup,
            @JsonProperty("started_at") Instant startedAt,
            @JsonProperty("dump_version") String dumpVersion,
            @JsonProperty("live_version") String liveVersion) {}

    private final JournalFile<Entry> file;

    public RestoreJournal(Path stateDir, String project) {
        this.file = new JournalFile<>(stateDir.resolve(project + ".restore.json"), Entry.class);
    }

    public void begin(Entry entry) {
        file.write(entry);
    }

    public Optional<Entry> find() {
        try {
            return file.read();
        } catch (IOException e) {
            // Written atomically, so unreadable means edited by hand: treat it as a restore of unknown outcome.
            return Optional.of(new Entry("", file.path().toString(), Instant.EPOCH, "", ""));
        }
    }

    public void end() {
        file.delete();
    }
}
