package io.stackctl.secrets;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Json;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The rotations of one project, oldest first, in {@code compose/releases/<project>/rotations.json} beside the
 * releases. It holds ids only, never a secret. The last 50 are kept.
 */
public final class Rotations {

    private static final ObjectMapper JSON =
            Json.MAPPER.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final int KEEP = 50;

    private final Path file;

    public Rotations(Path releasesRoot, String project) {
        this.file = releasesRoot.resolve(project).resolve("rotations.json");
    }

    public List<Rotation> all() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return JSON.readValue(file.toFile(), new TypeReference<List<Rotation>>() {});
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot read the rotation history " + file + ": " + e.getMessage(),
                    "move the file away to start a new history (the keys in force are not affected)");
        }
    }

    /** Records {@code rotation} as the newest; a {@code rotating} one before it stopped unfinished. */
    public void add(Rotation rotation) {
        List<Rotation> all = new ArrayList<>();
        for (Rotation earlier : all()) {
            all.add(
                    earlier.status() == Rotation.Status.rotating
                            ? earlier.ended(Rotation.Status.interrupted, 0, "its stackctl stopped before it finished")
                            : earlier);
        }
        all.add(rotation);
        save(all.subList(Math.max(0, all.size() - KEEP), all.size()));
    }

    /** Replaces the newest entry (the rotation under way) with {@code ended}. */
    public void finish(Rotation ended) {
        List<Rotation> all = new ArrayList<>(all());
        if (all.isEmpty()) {
            all.add(ended);
        } else {
            all.set(all.size() - 1, ended);
        }
        save(all);
    }

    private void save(List<Rotation> rotations) {
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(rotations) + "\n");
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot write the rotation history " + file + ": " + e.getMessage(),
                    "check that " + file.getParent() + " is writable");
        }
    }
}
