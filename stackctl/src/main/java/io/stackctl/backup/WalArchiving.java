package io.stackctl.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Json;
import io.stackctl.core.StackctlException;
import io.stackctl.postgres.PostgresContainer;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How WAL archiving stands, as PostgreSQL sees it: what its archiver last pushed to the repository, what it last failed
 * to push, and the finished segments still waiting (their .ready files). A waiting segment holds writes that are on
 * this host's disk alone; its age is how much data a lost disk would take with it beyond the open segment, which
 * {@code archive_timeout} bounds.
 *
 * @param waiting finished WAL segments not archived yet
 * @param oldestWaitingSince when the oldest of them was finished; empty when none waits
 */
public record WalArchiving(
        boolean on,
        String archiveTimeout,
        long archivedCount,
        String lastArchivedWal,
        Optional<Instant> lastArchivedAt,
        long failedCount,
        String lastFailedWal,
        Optional<Instant> lastFailedAt,
        long waiting,
        Optional<Instant> oldestWaitingSince,
        String currentWal,
        Instant now) {

    /** Archiving stuck this long is a problem for {@code health}: five times the default archive_timeout. */
    public static final Duration STUCK_AFTER = Duration.ofMinutes(5);

    static final String SQL = """
            SELECT json_build_object(
              'archive_mode', current_setting('archive_mode'),
              'archive_timeout', current_setting('archive_timeout'),
              'archived_count', archived_count, 'last_archived_wal', last_archived_wal,
              'last_archived_at', last_archived_time,
              'failed_count', failed_count, 'last_failed_wal', last_failed_wal, 'last_failed_at', last_failed_time,
              'waiting', (SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'),
              'oldest_waiting_since', (SELECT min(modification) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'),
              'current_wal', pg_walfile_name(pg_current_wal_lsn()),
              'now', now())
            FROM pg_stat_archiver""";

    public static WalArchiving of(PostgresContainer postgres) {
        return parse(postgres.psql(postgres.database(), SQL).strip());
    }

    static WalArchiving parse(String json) {
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot read PostgreSQL's archiver state: '" + json + "'",
                    "check the database with: bin/stackctl logs db");
        }
        return new WalArchiving(
                doc.path("archive_mode").asText().equals("on")
                        || doc.path("archive_mode").asText().equals("always"),
                doc.path("archive_timeout").asText(),
                doc.path("archived_count").asLong(),
                doc.path("last_archived_wal").asText(""),
                instant(doc.path("last_archived_at")),
                doc.path("failed_count").asLong(),
                doc.path("last_failed_wal").asText(""),
                instant(doc.path("last_failed_at")),
                doc.path("waiting").asLong(),
                instant(doc.path("oldest_waiting_since")),
                doc.path("current_wal").asText(""),
                instant(doc.path("now")).orElse(Instant.now()));
    }

    private static Optional<Instant> instant(JsonNode node) {
        if (node.isNull() || node.isMissingNode() || node.asText().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(OffsetDateTime.parse(node.asText().replace(' ', 'T')).toInstant());
    }

    /** How long the oldest waiting segment has waited: zero when none does. */
    public Duration oldestWaiting() {
        return oldestWaitingSince.map(at -> Duration.between(at, now)).orElse(Duration.ZERO);
    }

    /** Whether the archiver's last attempt failed (a failure newer than its last success). */
    public boolean failing() {
        return lastFailedAt.isPresent()
                && (lastArchivedAt.isEmpty() || lastFailedAt.get().isAfter(lastArchivedAt.get()));
    }

    /** What {@code health} reports: archiving off, or a segment waiting longer than {@code stuckAfter}. */
    public List<String> problems(Duration stuckAfter) {
        List<String> problems = new ArrayList<>();
        if (!on) {
            problems.add("WAL archiving is off: no write reaches the backup repository until the next backup; run"
                    + " bin/stackctl up, which writes the repository key (compose/secrets/db/backup-cipher-pass)"
                    + " and recreates the db service with archiving on");
        } else if (waiting > 0 && oldestWaiting().compareTo(stuckAfter) > 0) {
            problems.add("WAL archiving is stuck: " + waiting + " finished segment" + (waiting == 1 ? "" : "s")
                    + " waiting, the oldest for " + text(oldestWaiting()) + " (writes since then are on"
                    + " this host's disk only)"
                    + (failing() ? "; the last push of " + lastFailedWal + " failed" : "")
                    + ": bin/stackctl logs db shows why");
        }
        return problems;
    }

    /** 42s, 7m05s, 3h12m: how long, to the nearest second, for people. */
    public static String text(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return "%dm%02ds".formatted(seconds / 60, seconds % 60);
        }
        return "%dh%02dm".formatted(seconds / 3600, seconds % 3600 / 60);
    }
}
