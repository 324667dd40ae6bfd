package io.stackctl.stack;

import io.stackctl.core.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The app replica count the operator asked for (up --replicas, scale), kept per project in
 * {@code compose/state/<project>.replicas}: a later up restores that count instead of adopting whatever happens to run
 * (a replica that died and was not restarted must come back, not be forgotten).
 */
public final class DesiredReplicas {

    private final Path file;

    public DesiredReplicas(Path stateDir, String project) {
        this.file = stateDir.resolve(project + ".replicas");
    }

    public Optional<Integer> get() {
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            String text = Files.readString(file).strip();
            if (!text.matches("[0-9]{1,3}")) {
                return Optional.empty();
            }
            int count = Integer.parseInt(text);
            return count >= 1 && count <= Stack.MAX_REPLICAS ? Optional.of(count) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void set(int replicas) {
        try {
            AtomicFiles.writeString(file, replicas + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
