package io.stackctl.backup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Json;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The backup folder: {@code <project>-<UTC timestamp>.dump} files, each with a {@code .manifest.json} beside
 * it. Every file appears under its final name only once complete (temporary name, fsync, atomic rename).
 */
public final class BackupStore {

    public static final String DUMP_SUFFIX = ".dump";
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> PRIVATE_FILE =
            PosixFilePermissions.fromString("rw-------");
    public static final String MANIFEST_SUFFIX = ".manifest.json";
    static final String PARTIAL_PREFIX = ".partial-";
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** Output's style; fields added by a later stackctl do not make a manifest unreadable. */
    static final ObjectMapper JSON = Json.MAPPER.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;

    public BackupStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** One dump file and its manifest, if it has one. */
    public record StoredBackup(Path dump, Optional<Manifest> manifest) {
        public String name() {
            return dump.getFileName().toString();
        }
    }

    /** A fresh final name for a dump taken at {@code at}; never one that exists. */
    public Path newDumpPath(String project, Instant at) {
        String base = project + "-" + STAMP.format(at);
        Path candidate = dir.resolve(base + DUMP_SUFFIX);
        for (int n = 2; Files.exists(candidate); n++) {
            candidate = dir.resolve(base + "-" + n + DUMP_SUFFIX);
        }
        return candidate;
    }

    /**
     * Whether a dump's name is {@code <project>-<UTC stamp>[-n].dump} for exactly this project: {@code taskmanager}
     * must not pick up {@code taskmanager-staging-...}.
     */
    public static boolean belongsTo(String fileName, String project) {
        return fileName.matches(Pattern.quote(project) + "-[0-9]{8}T[0-9]{6}Z(-[0-9]+)?" + Pattern.quote(DUMP_SUFFIX));
    }

    /**
     * Creates an empty file only its owner can read: a dump holds every task, and its manifest names the
     * database. POSIX file systems only; elsewhere the platform's defaults apply.
     */
    public static void createPrivate(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
    }

    public Path partialPathFor(Path dump) {
        return dump.resolveSibling(PARTIAL_PREFIX + dump.getFileName());
    }

    public static Path manifestPath(Path dump) {
        String name = dump.getFileName().toString();
        String base = name.endsWith(DUMP_SUFFIX) ? name.substring(0, name.length() - DUMP_SUFFIX.length()) : name;
        return dump.resolveSibling(base + MANIFEST_SUFFIX);
    }

    public void ensureDir() {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                try {
                    // A folder we create is private; one the user gave keeps the permissions they chose.
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system
                }
            }
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot create the backup folder " + dir + ": " + e.getMessage(),
                    "check its permissions, or pass --dir with a writable folder");
        }
    }

    /** Every complete dump of {@code project} (or of any project when null), newest first. */
    public List<StoredBackup> list(String project) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(DUMP_SUFFIX))
                    .filter(p -> !p.getFileName().toString().startsWith(PARTIAL_PREFIX))
                    .filter(p -> project == null || belongsTo(p.getFileName().toString(), project))
                    .map(p -> new StoredBackup(p, readManifest(p)))
                    .sorted(Comparator.comparing(BackupStore::createdAt).reversed())
                    .toList();
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED, "cannot list " + dir + ": " + e.getMessage(), "check the folder's permissions");
        }
    }

    private static Instant createdAt(StoredBackup backup) {
        return backup.manifest().map(Manifest::createdAt).orElseGet(() -> {
            try {
                return Files.getLastModifiedTime(backup.dump()).toInstant();
            } catch (IOException e) {
                return Instant.EPOCH;
            }
        });
    }

    /**
     * {@code latest} (newest of the project), a file name in the store, or a path; a missing file is exit 1. A bare
     * name that the store holds is the store's, even when the current directory has a file of that name.
     */
    public StoredBackup resolve(String fileOrLatest, String project) {
        if (fileOrLatest.equals("latest")) {
            return list(project).stream()
                    .findFirst()
                    .orElseThrow(() -> new StackctlException(
                            ExitCodes.CHECK_FAILED,
                            "no backup of project '" + project + "' in " + dir,
                            "take one with: bin/stackctl backup"));
        }
        Path given = Path.of(fileOrLatest);
        Path inStore = dir.resolve(fileOrLatest);
        boolean bareName = !given.isAbsolute() && given.getNameCount() == 1;
        Path dump = bareName && (Files.exists(inStore) || !Files.exists(given)) ? inStore : given;
        if (!Files.isRegularFile(dump)) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    "backup file " + fileOrLatest + " does not exist",
                    "bin/stackctl backups list shows the backups in " + dir);
        }
        return new StoredBackup(dump.toAbsolutePath(), readManifest(dump));
    }

    public static Optional<Manifest> readManifest(Path dump) {
        Path manifest = manifestPath(dump);
        if (!Files.isRegularFile(manifest)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(manifest.toFile(), Manifest.class));
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    "the manifest " + manifest + " cannot be read: " + e.getMessage(),
                    "it was damaged or edited; use another backup, or restore by hand (backup/README.md)");
        }
    }

    /** Writes the manifest beside its dump: temporary file, fsync, atomic rename. */
    public void writeManifest(Path dump, Manifest manifest) {
        Path target = manifestPath(dump);
        Path partial = target.resolveSibling(PARTIAL_PREFIX + target.getFileName());
        try {
            deleteQuietly(partial);
            createPrivate(partial);
            Files.write(partial, JSON.writeValueAsBytes(manifest));
            commit(partial, target);
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot write " + target + ": " + e.getMessage(),
                    "check free space and permissions of " + dir);
        }
    }

    /** fsync, then rename over the final name; the final name never shows a partial file. */
    public static void commit(Path partial, Path target) throws IOException {
        try (var channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        AtomicFiles.commit(partial, target);
    }

    /** Deletes a dump and its manifest. */
    public void delete(StoredBackup backup) throws IOException {
        Files.deleteIfExists(manifestPath(backup.dump()));
        Files.deleteIfExists(backup.dump());
    }

    public static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // best effort: a leftover .partial- file is never mistaken for a backup
        }
    }
}
