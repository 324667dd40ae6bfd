package io.stackctl.backup;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.stackctl.core.AtomicFiles;
import io.stackctl.core.Json;
import io.stackctl.postgres.PostgresContainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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

    private final Path file;

    public RestoreJournal(Path stateDir, String project) {
        this.file = stateDir.resolve(project + ".restore.json");
    }

    public void begin(Entry entry) {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.writeString(file, Json.MAPPER.writeValueAsString(entry));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public Optional<Entry> find() {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readValue(file.toFile(), Entry.class));
        } catch (IOException e) {
            // Written atomically, so unreadable means edited by hand: treat it as a restore of unknown outcome.
            return Optional.of(new Entry("", file.toString(), Instant.EPOCH, "", ""));
        }
    }

    public void end() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }
}
