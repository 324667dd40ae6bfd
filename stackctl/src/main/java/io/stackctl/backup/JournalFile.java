package io.stackctl.backup;

import io.stackctl.core.AtomicFiles;
import io.stackctl.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One JSON document under compose/state that marks a multi-step command in progress: written atomically before the
 * first step that changes anything, deleted after the last, so a command killed in between leaves it for the next.
 */
final class JournalFile<T> {

    private final Path file;
    private final Class<T> type;

    JournalFile(Path file, Class<T> type) {
        this.file = file;
        this.type = type;
    }

    Path path() {
        return file;
    }

    void write(T entry) {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.writeString(file, Json.MAPPER.writeValueAsString(entry));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The entry, if a command left one; throws IOException when the file is there but cannot be read. */
    Optional<T> read() throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(Json.MAPPER.readValue(file.toFile(), type));
    }

    /** The entry, or {@code fallback} when there is none or it cannot be read: for records that only inform. */
    T readOr(T fallback) {
        try {
            return read().orElse(fallback);
        } catch (IOException e) {
            return fallback;
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }
}
