package io.stackctl.backup;

import java.util.Arrays;

/**
 * Whether the running app can serve a dump's schema. The app migrates its schema forward with Flyway when it starts,
 * so an older dump is fine once migrated; a newer one holds tables and columns the running code does not know.
 */
public enum SchemaFit {
    /** Same Flyway version as the live database. */
    same,
    /** Older: restore, then let the app migrate it (one replica restarts). */
    older,
    /** Newer than what the app runs: refused. */
    newer,
    /** A manifest from before schema versions were recorded. */
    unknown;

    public static SchemaFit of(String dumpVersion, String liveVersion) {
        if (dumpVersion == null || liveVersion == null || liveVersion.isEmpty()) {
            return unknown;
        }
        int order = compare(dumpVersion, liveVersion);
        return order == 0 ? same : order < 0 ? older : newer;
    }

    /** Flyway's order: dotted numbers compared part by part ("2" before "10", "2" equal to "2.0"). */
    static int compare(String a, String b) {
        long[] left = parts(a);
        long[] right = parts(b);
        for (int i = 0; i < Math.max(left.length, right.length); i++) {
            long x = i < left.length ? left[i] : 0;
            long y = i < right.length ? right[i] : 0;
            if (x != y) {
                return Long.compare(x, y);
            }
        }
        return 0;
    }

    private static long[] parts(String version) {
        if (version.isEmpty()) {
            return new long[0];
        }
        return Arrays.stream(version.split("[._]"))
                .mapToLong(part -> part.matches("[0-9]{1,18}") ? Long.parseLong(part) : 0)
                .toArray();
    }

    /** How a version reads in messages: V2, or "no Flyway schema". */
    public static String label(String version) {
        return version == null ? "unknown" : version.isEmpty() ? "no Flyway schema" : "V" + version;
    }
}
