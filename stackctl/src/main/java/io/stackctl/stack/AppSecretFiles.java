package io.stackctl.stack;

import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Sha256;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The app's secrets as the replicas read them: files in compose/secrets/app/ID, mounted read-only at
 * /run/stack-app-secrets (the app reads {@code DB_PASSWORD_FILE} and the like), so no secret is in a container's
 * environment, where {@code docker inspect} and every child process would see it.
 *
 * <p>A folder is never changed once written: its name ({@code APP_SECRETS_ID} in compose/.env) is a hash of what it
 * holds, as Swarm names a secret by its value. A new secret in compose/.env is a new folder, so compose sees a new
 * declaration and the replicas roll onto it one at a time, while those not yet rolled keep reading theirs; the folders
 * no replica uses any more go after the rollout ({@link #pruneExcept}).
 *
 * <p>Modes: the folder and its files are world-readable (0755, 0644) because the app runs as a user of its own that
 * the host does not know; on the host no one else reaches them, as compose/secrets and compose/secrets/app are 0700.
 */
public final class AppSecretFiles {

    /** compose/.env's variable naming the folder the replicas mount. */
    public static final String ID_VARIABLE = "APP_SECRETS_ID";

    /** Each file, with the compose/.env variable it holds. */
    static final Map<String, String> FILES = files();

    private final Path parent;
    private final Path folder;

    public AppSecretFiles(StackFiles files) {
        this.parent = files.secretsDir();
        this.folder = parent.resolve("app");
    }

    private static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("db-password", EnvFile.APP_DB_SECRET);
        files.put("redis-password", EnvFile.CACHE_SECRET);
        files.put("jwt-secret", EnvFile.TOKEN_SECRET);
        files.put("admin-password", EnvFile.ADMIN_SECRET);
        files.put("ops-token", EnvFile.OPS_SECRET);
        return files;
    }

    /** The folder of secrets {@code id} names. */
    public Path folder(String id) {
        return folder.resolve(id);
    }

    /**
     * Writes the folder for compose/.env's secrets when it is missing and names it in compose/.env (saved) when
     * another one is named. Returns the folder's id.
     */
    public String ensureCurrent(EnvFile env) {
        Map<String, String> contents = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        FILES.forEach((file, variable) ->
                env.get(variable).ifPresentOrElse(value -> contents.put(file, value), () -> missing.add(variable)));
        if (!missing.isEmpty()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "compose/.env has no " + String.join(", ", missing) + ", which the app's replicas need",
                    "run bin/stackctl up: it adds the missing secrets");
        }
        String id = idOf(contents);
        if (!holds(folder(id), contents)) {
            write(id, contents);
        }
        if (!env.get(ID_VARIABLE).orElse("").equals(id)) {
            env.put(ID_VARIABLE, id);
            env.save();
        }
        return id;
    }

    /**
     * Removes every folder but {@code id}'s: called once every replica runs on {@code id}, so none still reads the
     * secrets a rotation replaced. Returns the ids removed.
     */
    public List<String> pruneExcept(String id) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<String> removed = new ArrayList<>();
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path entry : entries.toList()) {
                if (!entry.getFileName().toString().equals(id)) {
                    deleteTree(entry);
                    removed.add(entry.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot remove the app's old secrets under " + folder + ": " + e.getMessage(),
                    "check that " + folder + " is writable by the user that runs stackctl");
        }
        return removed;
    }

    /** The folder's name: 16 hex digits of a hash of what it holds, so equal secrets give the same folder. */
    static String idOf(Map<String, String> contents) {
        var text = new StringBuilder();
        contents.forEach(
                (file, value) -> text.append(file).append('=').append(value).append('\n'));
        return Sha256.of(text.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    private static boolean holds(Path dir, Map<String, String> contents) {
        try {
            for (var entry : contents.entrySet()) {
                Path file = dir.resolve(entry.getKey());
                if (!Files.isRegularFile(file) || !Files.readString(file).equals(entry.getValue())) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Written under a temporary name and renamed: a replica never mounts half a folder. */
    private void write(String id, Map<String, String> contents) {
        Path target = folder(id);
        try {
            for (Path dir : List.of(parent, folder)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            Path partial = Files.createTempDirectory(folder, "." + id);
            for (var entry : contents.entrySet()) {
                AtomicFiles.writeString(
                        partial.resolve(entry.getKey()),
                        entry.getValue(),
                        written ->
                                Files.setPosixFilePermissions(written, PosixFilePermissions.fromString("rw-r--r--")));
            }
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (Files.exists(target)) {
                // Not what its name says (changed by hand, or cut short): a replica mounting it would fail.
                deleteTree(target);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.syncDirectory(folder);
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot write the app's secrets to " + target + ": " + e.getMessage(),
                    "check that " + parent + " is writable by the user that runs stackctl");
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
