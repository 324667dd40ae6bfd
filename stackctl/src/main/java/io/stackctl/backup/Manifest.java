package io.stackctl.backup;

import java.time.Instant;
import java.util.Map;

/**
 * What a dump holds and how to check it, written beside the dump as {@code <name>.manifest.json}. Restore and
 * verify trust a dump only when its bytes still hash to {@link #sha256}.
 *
 * @param rowCounts rows per table ({@code schema.table}), counted in the dump's own snapshot
 * @param verification the last restore into a scratch database, or null when never verified
 * @param schemaVersion the Flyway version of the schema in the dump ("" without Flyway; null in older manifests)
 */
public record Manifest(
        int format,
        String file,
        String project,
        String database,
        Instant createdAt,
        String sha256,
        long sizeBytes,
        String postgresVersion,
        Map<String, Long> rowCounts,
        long durationMs,
        String stackctlVersion,
        Verification verification,
        String schemaVersion) {

    /** 2: {@link #schemaVersion} recorded. A format-1 manifest reads with it null (unknown). */
    public static final int FORMAT = 2;

    /** The outcome of restoring the dump into a scratch database and comparing row counts. */
    public record Verification(Instant at, boolean ok, long restoreMs, Map<String, Long> rowCounts, String error) {}

    public boolean verified() {
        return verification != null && verification.ok();
    }

    public Manifest withVerification(Verification result) {
        return new Manifest(
                format,
                file,
                project,
                database,
                createdAt,
                sha256,
                sizeBytes,
                postgresVersion,
                rowCounts,
                durationMs,
                stackctlVersion,
                result,
                schemaVersion);
    }

    public long totalRows() {
        return rowCounts.values().stream().mapToLong(Long::longValue).sum();
    }
}
