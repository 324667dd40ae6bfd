package io.stackctl.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Json;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.EnvFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The releases of one project, newest last, in {@code compose/releases/<project>/releases.json}, with each
 * release's settings saved as {@code r<ID>.env} next to it. The folder is private (0700, files 0600): the saved
 * settings hold the stack's secrets. Git-ignored like compose/.env.
 */
public final class ReleaseHistory {

    private static final ObjectMapper JSON =
            Json.MAPPER.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final int KEEP = 20;

    private final Path dir;

    public ReleaseHistory(Path releasesRoot, String project) {
        this.dir = releasesRoot.resolve(project);
    }

    /**
     * The deploys that stopped before they finished: still {@code deploying} while no stackctl command runs one (the
     * caller holds the project's lock, or saw that no live process does).
     */
    public List<Release> interrupted() {
        return all().stream()
                .filter(r -> r.status() == Release.Status.deploying)
                .toList();
    }

    public List<Release> all() {
        Path file = dir.resolve("releases.json");
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return JSON.readValue(file.toFile(), new TypeReference<List<Release>>() {});
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot read the release history " + file + ": " + e.getMessage(),
                    "move the file away to start a new history (the running stack is not affected)");
        }
    }

    public Optional<Release> active() {
        return all().stream().filter(r -> r.status() == Release.Status.active).reduce((a, b) -> b);
    }

    public Optional<Release> find(int id) {
        return all().stream().filter(r -> r.id() == id).findFirst();
    }

    /** The newest release before {@code current} that served: what a rollback returns to. */
    public Optional<Release> previousGood(int current) {
        return all().stream()
                .filter(r -> r.id() < current
                        && (r.status() == Release.Status.active || r.status() == Release.Status.replaced))
                .filter(r -> Files.exists(envFile(r.id())))
                .max(Comparator.comparingInt(Release::id));
    }

    public int nextId() {
        return all().stream().mapToInt(Release::id).max().orElse(0) + 1;
    }

    /** Saves a new release with its settings: the env file compose used, less its secrets (today's are used). */
    public Release add(Release release, String envText) {
        try {
            createPrivateDir();
            writePrivate(envFile(release.id()), EnvFile.withoutSecrets(envText));
        } catch (IOException e) {
            throw failure(e);
        }
        List<Release> releases = new ArrayList<>(all());
        releases.add(release);
        save(releases);
        return release;
    }

    /** Replaces the entry with the same id; when {@code release} becomes active, the one before it is replaced. */
    public void update(Release release) {
        List<Release> releases = new ArrayList<>();
        for (Release r : all()) {
            if (r.id() == release.id()) {
                releases.add(release);
            } else if (release.status() == Release.Status.active && r.status() == Release.Status.active) {
                releases.add(r.withStatus(Release.Status.replaced, r.durationMs(), r.note()));
            } else {
                releases.add(r);
            }
        }
        save(releases);
    }

    public Path envFile(int id) {
        return dir.resolve("r" + id + ".env");
    }

    private void save(List<Release> releases) {
        // Old entries go, with their saved settings, but never the active release nor the one a rollback from it
        // returns to: twenty failed deploys must not take rollback away.
        var pinned = pinned(releases);
        List<Release> kept = new ArrayList<>();
        List<Release> dropped = new ArrayList<>();
        for (int i = 0; i < releases.size(); i++) {
            Release release = releases.get(i);
            boolean recent = i >= releases.size() - KEEP;
            (recent || pinned.contains(release.id()) ? kept : dropped).add(release);
        }
        try {
            createPrivateDir();
            for (Release release : dropped) {
                Files.deleteIfExists(envFile(release.id()));
            }
            writePrivate(dir.resolve("releases.json"), JSON.writeValueAsString(kept));
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /** The active release and the newest one before it that served. */
    static java.util.Set<Integer> pinned(List<Release> releases) {
        var active = releases.stream()
                .filter(r -> r.status() == Release.Status.active)
                .mapToInt(Release::id)
                .max();
        if (active.isEmpty()) {
            return java.util.Set.of();
        }
        var pinned = new java.util.HashSet<Integer>();
        pinned.add(active.getAsInt());
        releases.stream()
                .filter(r -> r.id() < active.getAsInt()
                        && (r.status() == Release.Status.active || r.status() == Release.Status.replaced))
                .mapToInt(Release::id)
                .max()
                .ifPresent(pinned::add);
        return pinned;
    }

    private void createPrivateDir() throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    private static void writePrivate(Path file, String text) throws IOException {
        AtomicFiles.writeString(file, text);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    private StackctlException failure(IOException e) {
        return new StackctlException(
                ExitCodes.FAILED,
                "cannot write the release history in " + dir + ": " + e.getMessage(),
                "check the folder's permissions and free space");
    }
}
