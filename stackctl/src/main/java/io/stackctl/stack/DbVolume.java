package io.stackctl.stack;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The database's own filesystem: compose/.env's {@code DB_VOLUME_DEVICE} names a block device (a disk, an LVM volume,
 * a loop device) that Docker's local driver mounts as the primary's data volume (compose/db-volume.yaml). Without it
 * the data is a directory of the host's disk, which a growing database fills for every other service too, and which
 * {@code drill disk-full} refuses to fill.
 */
public record DbVolume(String device, String type) {

    public static final String DEVICE = "DB_VOLUME_DEVICE";
    public static final String TYPE = "DB_VOLUME_TYPE";
    /** compose.yaml's volume it replaces. */
    public static final String VOLUME = "db-data";

    private static final Pattern DEVICE_PATH = Pattern.compile("/[A-Za-z0-9._/-]+");
    private static final Pattern FILESYSTEM = Pattern.compile("[a-z0-9]{2,16}");

    /** True when compose/.env (or the shell) names a device. */
    public static boolean configured(Map<String, String> environment, EnvFile envFile) {
        return !StackSettings.setting(DEVICE, "", environment, envFile).isBlank();
    }

    /**
     * The device compose/.env names, or empty. Checked before any container sees it: a wrong value is exit 2 naming
     * the setting, not a mount error of Docker's when the db starts.
     */
    public static Optional<DbVolume> resolve(Map<String, String> environment, EnvFile envFile) {
        String device = StackSettings.setting(DEVICE, "", environment, envFile).strip();
        String type = StackSettings.setting(TYPE, "ext4", environment, envFile).strip();
        if (device.isEmpty()) {
            return Optional.empty();
        }
        if (!DEVICE_PATH.matcher(device).matches() || device.contains("..")) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    DEVICE + " must be the absolute path of a block device (/dev/sdb1, /dev/vg0/db, /dev/loop0), not '"
                            + device + "'",
                    "fix it in compose/.env, or remove it to keep the data on the host's disk (docs/drills.md,"
                            + " \"A full disk\")");
        }
        if (!FILESYSTEM.matcher(type).matches() || type.equals("none") || type.equals("tmpfs")) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    TYPE + " must name the device's filesystem (ext4, xfs), not '" + type + "'"
                            + (type.equals("tmpfs") ? ": a database in memory is lost with its container" : ""),
                    "fix it in compose/.env; ext4 is the default");
        }
        return Optional.of(new DbVolume(device, type));
    }

    /**
     * Exit 3 when the project's data volume exists on another device than compose/.env now names (or on the host's
     * disk while it names one, or the reverse): a volume's device cannot change under its data, and compose either
     * refuses (v1, advising to remove the volume: the database with it) or keeps the old one unsaid (v2).
     */
    public static void requireUnchanged(Engine engine, String project, Optional<DbVolume> wanted) {
        var existing = engine.volumeOptions(project, VOLUME);
        if (existing.isEmpty()) {
            return; // compose makes it as configured
        }
        String has = existing.get().getOrDefault("device", "");
        String asked = wanted.map(DbVolume::device).orElse("");
        if (has.equals(asked)) {
            return;
        }
        String volume = project + "_" + VOLUME;
        throw new StackctlException(
                ExitCodes.PRECONDITION,
                "the database's volume " + volume + " holds its data on " + describe(has) + ", and compose/.env now"
                        + " asks for " + describe(asked) + ": a volume cannot change its device under its data",
                (has.isEmpty()
                                ? "remove " + DEVICE + " from compose/.env"
                                : "set " + DEVICE + "=" + has + " in compose/.env")
                        + " to keep it; to move the data, back it up and restore it into a new stack"
                        + " (docs/backups.md). Never remove the volume to make the error go: the database goes with it");
    }

    private static String describe(String device) {
        return device.isEmpty() ? "the host's disk" : "the device " + device;
    }
}
