package io.stackctl.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files that readers see whole or not at all, and that survive a power cut: written under a temporary name in the
 * same folder (readable by the owner only), flushed to disk, renamed, and the folder flushed so the rename is too.
 * Without the flushes a crash can leave compose/.env empty, and the next {@code up} would write new secrets that the
 * database volume does not know.
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    public static void writeString(Path file, String text) throws IOException {
        writeString(file, text, written -> {});
    }

    /** What is done to the written, flushed file before it takes its name (its owner, its mode). */
    public interface Preparation {
        void prepare(Path written) throws IOException;
    }

    /** Gives the written file {@code permissions} (e.g. rw-r--r--: readable by a service's user this host does not know). */
    public static Preparation permissions(String permissions) {
        return written -> Files.setPosixFilePermissions(written, PosixFilePermissions.fromString(permissions));
    }

    /** As {@link #writeString(Path, String, Preparation)} unless the file already holds exactly {@code text}; true when it wrote. */
    public static boolean writeStringIfChanged(Path file, String text, Preparation preparation) throws IOException {
        if (Files.isRegularFile(file) && Files.readString(file).equals(text)) {
            return false;
        }
        writeString(file, text, preparation);
        return true;
    }

    /** As {@link #writeString(Path, String)}, with {@code preparation} applied before the rename. */
    public static void writeString(Path file, String text, Preparation preparation) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // The temporary name ends in .tmp, so a reader that globs (nginx's include *.conf) never sees it.
        Path temporary = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try (var channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                var bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            preparation.prepare(temporary);
            commit(temporary, file);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Renames a flushed {@code partial} over {@code target}, then flushes the folder that holds both. */
    public static void commit(Path partial, Path target) throws IOException {
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    public static void syncDirectory(Path dir) {
        try (var channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // a file system that cannot open a folder for reading: the rename itself stands
        }
    }
}
