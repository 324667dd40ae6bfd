package io.stackctl.core;

/** Sizes as people read them, in the units of 1024 that disks and PostgreSQL report: 512 B, 8.6 KiB, 3.2 GiB. */
public final class ByteSize {

    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private ByteSize() {}

    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return "%.1f %s".formatted(value, UNITS[unit]);
    }
}
