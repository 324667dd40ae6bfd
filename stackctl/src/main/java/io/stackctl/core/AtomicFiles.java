package io.stackctl.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Files that readers see whole or not at all: written under a temporary name in the same folder, then renamed. */
public final class AtomicFiles {

    private AtomicFiles() {}

    public static void writeString(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        // The temporary name ends in .tmp, so a reader that globs (nginx's include *.conf) never sees it.
        Path temporary = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(temporary, text);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
