package io.stackctl.secrets;

import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes the token key ring where the replicas read it: whole, by a rename (a replica never reads half a ring),
 * owned by the app's user in its image (uid 10001, taskmanager-app/Dockerfile) and readable by it alone.
 */
public final class KeyRingFile {

    /** The app's user and group in its image. */
    public static final int APP_UID = 10001;

    private KeyRingFile() {}

    /** @return false when the file could not be given to the app's user (stackctl is not root): it is then 0644 */
    public static boolean write(Path file, TokenKeyRing ring) {
        boolean[] private_ = {false};
        try {
            AtomicFiles.writeString(file, ring.toJson(), written -> private_[0] = giveToApp(written));
            return private_[0];
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot write the token key ring " + file + ": " + e.getMessage(),
                    "check that " + file.toAbsolutePath().getParent() + " is writable; the replicas keep the ring"
                            + " they read last");
        }
    }

    private static boolean giveToApp(Path file) throws IOException {
        try {
            Files.setAttribute(file, "unix:uid", APP_UID);
            Files.setAttribute(file, "unix:gid", APP_UID);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // Not root: the app's user can read the file only if every user of this host can.
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            return false;
        }
    }
}
