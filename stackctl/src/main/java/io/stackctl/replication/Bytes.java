package io.stackctl.replication;

/** A byte count as people read it: 0 B, 12.3 kB, 4.0 MB (powers of 1024). */
final class Bytes {

    private Bytes() {}

    static String describe(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return "%.1f %s".formatted(value, units[unit]);
    }
}
