package io.stackctl.backup;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import io.stackctl.postgres.PostgresContainer;
import io.stackctl.stack.Stack;
import io.stackctl.stack.Standby;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Brings the database back to a point in time from pgBackRest's repository: a physical backup from before the target,
 * then the archived WAL replayed up to it. The live database is stopped for it, so the API answers 503 maintenance
 * throughout (as a dump's restore does). The steps, in order:
 *
 * <ol>
 *   <li>the WAL written until now is pushed to the repository, and the target checked against what it holds: after
 *       the oldest backup, before that push (refused otherwise, with the range; nothing touched yet);
 *   <li>the db container stops; a one-off container of its image and volumes rewrites the data directory
 *       (compose/db/pitr.sh, pgbackrest restore --delta); the db container starts, replays to the target and
 *       promotes, which begins a new timeline;
 *   <li>the cache is cleared, and the API stays out of service until the new timeline's history file is archived:
 *       until then a second restore could follow the old timeline past the fork and bring back the rows this one
 *       threw away;
 *   <li>in service again, the new timeline's first segment is archived and a full backup taken, which gives it a
 *       base of its own; success is reported only after both.
 * </ol>
 *
 * A journal ({@link PointInTimeJournal}) spans the steps, so the next {@code up} or {@code restore} runs a killed
 * restore again to the same target.
 */
public final class PointInTimeRestore {

    /** What to restore to: an instant, the end of a backup, or the end of the archived WAL. */
    public enum Kind {
        TIME,
        BACKUP,
        LATEST
    }

    public record Target(Kind kind, String value) {

        public static Target time(Instant at) {
            return new Target(Kind.TIME, at.toString());
        }

        /** How pitr.sh takes it. */
        String[] script() {
            return switch (kind) {
                case TIME -> new String[] {"time", POSTGRES_TIME.format(Instant.parse(value))};
                case BACKUP -> new String[] {"backup", value};
                case LATEST -> new String[] {"latest"};
            };
        }

        public String describe() {
            return switch (kind) {
                case TIME -> value;
                case BACKUP -> "the end of backup " + value;
                case LATEST -> "the newest archived WAL";
            };
        }
    }

    /** A timestamptz PostgreSQL reads as recovery_target_time, to the microsecond, in UTC. */
    static final DateTimeFormatter POSTGRES_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

    static final Duration ARCHIVE_WAIT = Duration.ofSeconds(60);
    static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /** How often the steps the API waits on are looked at: each look is a docker exec of a few milliseconds. */
    static final Duration POLL = Duration.ofMillis(100);
    /** How long the archiver may take before pgbackrest check wakes it (it sleeps a minute after failures). */
    static final Duration ARCHIVER_NUDGE = Duration.ofSeconds(5);

    /** What happened: the target, the new timeline, the new base backup, and how long the API was out of service. */
    public record Outcome(Target target, String timeline, RepositoryInfo.Backup base, double outOfServiceSeconds) {}

    private final Stack stack;
    private final PgBackRest pgbackrest;
    private final PostgresContainer postgres;
    private final String dbContainer;
    private final PrintWriter progress;
    private final Duration timeout;

    public PointInTimeRestore(Stack stack, PrintWriter progress, Duration timeout) {
        refuseOnSwarm(stack);
        refuseWithStandby(stack);
        this.stack = stack;
        this.dbContainer = dbContainer(stack, progress);
        this.pgbackrest = new PgBackRest(stack.engine(), dbContainer);
        this.postgres = new PostgresContainer(
                stack.engine(), dbContainer, Stack.DATABASE, Stack.OPERATIONS_USER, Stack.APP_DATABASE_USER);
        this.progress = progress;
        this.timeout = timeout;
    }

    /**
     * The restore rewrites db's volume to an older timeline, which a standby streaming from it cannot follow, and the
     * watcher would fail over to that standby while db is stopped: refused before anything is touched.
     */
    static void refuseWithStandby(Stack stack) {
        if (!stack.engine().containers(stack.project(), Standby.SERVICE).isEmpty()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "a point-in-time restore rewrites the primary's data, which the standby " + Standby.SERVICE
                            + " cannot follow; the database was not touched",
                    "turn the standby off first (with db the primary: bin/stackctl failover --to db if it is not;"
                            + " bin/stackctl up --no-standby), restore, then bin/stackctl up --standby clones it afresh");
        }
    }

    /**
     * The restore stops the db container and rewrites its volume beside it. Swarm would answer the stopped task with a
     * new one, and PostgreSQL would start on the volume pgBackRest is rewriting: refused before anything is touched.
     */
    static void refuseOnSwarm(Stack stack) {
        if (stack.swarm()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "a point-in-time restore stops the db container and rewrites its volume, and on Swarm the db"
                            + " service would start a new task on that volume meanwhile; the database was not touched",
                    "on Swarm, restore a logical dump (bin/stackctl backup --logical, bin/stackctl restore FILE|latest);"
                            + " to restore to a point in time, run the stack with compose (bin/stackctl up --target"
                            + " compose after bin/stackctl down)");
        }
    }

    /**
     * The db container, running or not (a restore killed while the database was stopped is run again from here).
     * When it is gone, as after a lost database volume, compose creates it, stopped, on a new empty volume: the
     * restore fills that from the repository.
     */
    private static String dbContainer(Stack stack, PrintWriter progress) {
        var existing = stack.engine().containers(stack.project(), Stack.DB);
        if (existing.isEmpty()) {
            progress.printf("the db container is gone: creating it, stopped (with a new volume if its own is gone)%n");
            progress.flush();
            stack.compose().createServices(List.of(Stack.DB));
            existing = stack.engine().containers(stack.project(), Stack.DB);
        }
        return existing.stream()
                .findFirst()
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.PRECONDITION,
                        "stack '" + stack.project() + "' has no db container, and compose made none",
                        "start the stack with: bin/stackctl up"))
                .id();
    }

    private boolean databaseRunning() {
        return stack.engine().containers(stack.project(), Stack.DB).stream()
                .anyMatch(c -> c.id().equals(dbContainer) && c.running());
    }

    /**
     * Checks {@code target} against the repository, after pushing the WAL written until now to it; throws (exit 1
     * or 3) with the restorable range when it is outside, before anything changed. With the database down (its
     * volume lost) there is nothing to push: --latest and --to-backup go on from what the repository holds.
     */
    public void check(Target target, boolean rehearse) {
        var info = checkRange(target);
        if (rehearse) {
            rehearse(target, requireRoomToRehearse(info, target));
        } else {
            requireRoomInPlace(info, target);
        }
    }

    private RepositoryInfo checkRange(Target target) {
        if (!databaseRunning()) {
            if (target.kind() == Kind.TIME) {
                throw new StackctlException(
                        ExitCodes.PRECONDITION,
                        "the db service is not running, so the newest instant the repository can restore to is not"
                                + " known; the database was not touched",
                        "bin/stackctl restore --latest brings back every archived write (after a lost volume), or"
                                + " --to-backup LABEL; or start the db (bin/stackctl up) and restore --to-time then");
            }
            var info = pgbackrest.infoFromStopped(stack.project() + "-info", stack.repositoryNetwork());
            requireBackup(info, target);
            progress("the db service is down: restoring %s from what the repository holds", target.describe());
            return info;
        }
        var info = pgbackrest.info();
        requireBackup(info, target);
        Instant pushedAt = pushWalUntilNow();
        var oldest = info.backups().stream()
                .map(RepositoryInfo.Backup::stopped)
                .min(Comparator.naturalOrder())
                .orElseThrow();
        String range = "the repository restores to any instant from " + oldest + " (the end of its oldest backup) to "
                + pushedAt + " (now)";
        switch (target.kind()) {
            case TIME -> {
                Instant at = Instant.parse(target.value());
                if (at.isBefore(oldest) || at.isAfter(pushedAt)) {
                    throw new StackctlException(
                            ExitCodes.CHECK_FAILED,
                            target.value() + " is outside what the repository can restore; the database was not"
                                    + " touched",
                            range + "; pick a time inside it, or --to-backup LABEL (bin/stackctl backups status)");
                }
            }
            case BACKUP, LATEST -> {
                // a label was checked above; everything archived, up to the push, is there
            }
        }
        progress("%s is inside what the repository holds (%s)", target.describe(), range);
        return info;
    }

    /** What the rehearsal leaves the live database on the disk they share, beyond the scratch copy and its WAL. */
    static final long HEADROOM_BYTES = 2L << 30;

    /**
     * The rehearsal's scratch volume lives on the engine's disk, which the live database's volume shares as a rule: a
     * copy that filled it would stop the live database's own writes. Refused (exit 3) when the disk under a scratch
     * volume (measured in one: the database may have a device of its own, DB_VOLUME_DEVICE) has less room than the
     * backup the restore starts from, a tenth more for the WAL, and {@link #HEADROOM_BYTES}.
     */
    private String requireRoomToRehearse(RepositoryInfo info, Target target) {
        var backup = restoredFrom(info, target);
        var free = freeBytesUnderScratch();
        if (backup.isEmpty() || free.isEmpty()) {
            return "the free space on the engine's disk not measured";
        }
        shortOfRoom(backup.get().size(), free.get()).ifPresent(why -> {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    why + "; the database was not touched",
                    "free space on the engine's disk (docker system df shows what it holds), or restore with"
                            + " --no-rehearsal (the live database then stops before the repository is known to reach"
                            + " the target)");
        });
        return "a " + size(backup.get().size()) + " copy, with " + size(free.get()) + " free on the engine's disk";
    }

    /** The largest file PostgreSQL writes (a relation's segment): pgBackRest rewrites one at a time. */
    static final long SEGMENT_BYTES = 1L << 30;

    /**
     * Without a rehearsal, the in-place restore (--delta) is the first to write: it keeps the files that match the
     * backup, rewrites the others and fetches the WAL it replays. A disk that filled half-way would leave the database
     * stopped on a half-rewritten directory, so it is refused (exit 3) when the disk under the db volume lacks what
     * the data grows by, a tenth of the backup for the WAL, and one segment.
     */
    private void requireRoomInPlace(RepositoryInfo info, Target target) {
        var backup = restoredFrom(info, target);
        var disk = freeBytesUnderData();
        if (backup.isEmpty() || disk.isEmpty()) {
            progress("no rehearsal, and the free space under the db volume not measured");
            return;
        }
        shortOfRoomInPlace(backup.get().size(), disk.get().data(), disk.get().free())
                .ifPresent(why -> {
                    throw new StackctlException(
                            ExitCodes.PRECONDITION,
                            why + "; the database was not touched",
                            "free space on the engine's disk (docker system df shows what it holds), then restore again");
                });
        progress(
                "no rehearsal: the restore rewrites %s of data from a %s backup in place, with %s free under the db"
                        + " volume",
                size(disk.get().data()),
                size(backup.get().size()),
                size(disk.get().free()));
    }

    static Optional<String> shortOfRoomInPlace(long backupBytes, long dataBytes, long freeBytes) {
        long need = Math.max(0, backupBytes - dataBytes) + backupBytes / 10 + SEGMENT_BYTES;
        if (freeBytes >= need) {
            return Optional.empty();
        }
        return Optional.of(String.format(
                Locale.ROOT,
                "no room to restore in place: the data directory holds %s and the backup %s, so the restore needs %s"
                        + " on the disk under the db volume (the growth, a tenth for the WAL it replays, a 1 GiB"
                        + " segment), which has %s free",
                size(dataBytes),
                size(backupBytes),
                size(need),
                size(freeBytes)));
    }

    static Optional<String> shortOfRoom(long backupBytes, long freeBytes) {
        long need = backupBytes + backupBytes / 10 + HEADROOM_BYTES;
        if (freeBytes >= need) {
            return Optional.empty();
        }
        return Optional.of(String.format(
                Locale.ROOT,
                "no room to rehearse the restore: it copies the %s database into a scratch volume on the engine's"
                        + " disk, which has %s free, and would leave it (and the database on it) less than %s",
                size(backupBytes),
                size(freeBytes),
                size(HEADROOM_BYTES)));
    }

    private static final double GIB = 1024.0 * 1024 * 1024;

    private static String size(long bytes) {
        return bytes < GIB
                ? String.format(Locale.ROOT, "%.0f MiB", bytes / (1024.0 * 1024))
                : String.format(Locale.ROOT, "%.1f GiB", bytes / GIB);
    }

    /** The backup pgBackRest starts the restore from: the newest that ended before the target, or the one named. */
    static Optional<RepositoryInfo.Backup> restoredFrom(RepositoryInfo info, Target target) {
        var backups = info.backups();
        return switch (target.kind()) {
            case BACKUP ->
                backups.stream().filter(b -> b.label().equals(target.value())).findFirst();
            case LATEST -> backups.stream().max(Comparator.comparing(RepositoryInfo.Backup::stopped));
            case TIME ->
                backups.stream()
                        .filter(b -> !b.stopped().isAfter(Instant.parse(target.value())))
                        .max(Comparator.comparing(RepositoryInfo.Backup::stopped));
        };
    }

    /** Bytes free on the disk under the db volume, and the bytes the data directory holds (0 when not asked). */
    record Disk(long free, long data) {}

    /**
     * Free bytes on the disk under the db volume and the bytes the data directory holds,
     * read in the db container or, when it is stopped, beside it. Empty when not measured: the restore goes on, as
     * before these checks.
     */
    private Optional<Long> freeBytesUnderScratch() {
        var result = stack.engine()
                .runScratch(
                        dbContainer,
                        stack.project() + "-df",
                        Duration.ofSeconds(60),
                        "none",
                        List.of(),
                        "/scratch",
                        "bash",
                        "-c",
                        "df -Pk /scratch | tail -n 1");
        var fields = result.output().strip().split("\\s+");
        if (result.exitCode() != 0 || fields.length < 4 || !fields[3].matches("[0-9]+")) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(fields[3]) * 1024);
    }

    private Optional<Disk> freeBytesUnderData() {
        String[] df = {"bash", "-c", "df -Pk /var/lib/postgresql/data | tail -n 1; du -sk /var/lib/postgresql/data"};
        var result = databaseRunning()
                ? stack.engine().exec(dbContainer, Duration.ofSeconds(30), df)
                : stack.engine().runBeside(dbContainer, stack.project() + "-df", Duration.ofSeconds(60), "none", df);
        var lines = result.output().strip().lines().toList();
        var fields = lines.isEmpty() ? new String[0] : lines.get(0).split("\\s+");
        if (result.exitCode() != 0 || fields.length < 4 || !fields[3].matches("[0-9]+")) {
            return Optional.empty();
        }
        long free = Long.parseLong(fields[3]) * 1024;
        var du = lines.size() < 2 ? "" : lines.get(1).split("\\s+")[0];
        return du.matches("[0-9]+") ? Optional.of(new Disk(free, Long.parseLong(du) * 1024)) : Optional.empty();
    }

    /**
     * The same restore, from every repository as pgBackRest will read them, into a scratch container first: a WAL
     * segment missing or damaged stops it there, with the live database untouched, instead of half-way through.
     */
    private void rehearse(Target target, String room) {
        progress("rehearsing it first: the same restore into a scratch container, from every repository (%s)", room);
        var rehearsal = new RestoreProof(RestoreProof.Site.of(stack, dbContainer)).rehearse(target, timeout);
        if (!rehearsal.passed()) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "the repositories cannot restore " + target.describe() + ": " + rehearsal.failure()
                            + "; the database was not touched",
                    rehearsalHint(rehearsal.failure()));
        }
        progress("the rehearsal came up in %.1fs (its container and volume are gone)", rehearsal.readySeconds());
    }

    private static final Pattern UNREADABLE_SEGMENT = Pattern.compile("unable to get ([0-9A-F]{24})");
    private static final Pattern DAMAGED_COPY = Pattern.compile("repo([0-9]): (\\S+) \\[");

    static String rehearsalHint(String failure) {
        var segment = UNREADABLE_SEGMENT.matcher(failure);
        if (segment.find()) {
            String name = segment.group(1);
            var copy = DAMAGED_COPY.matcher(failure.substring(segment.end()));
            List<String> repositories = new ArrayList<>();
            String path = "";
            while (copy.find()) {
                repositories.add("repo" + copy.group(1));
                path = copy.group(1).equals("1")
                        ? "docker exec <db container> rm " + PgBackRest.REPOSITORY + "/archive/stack/" + copy.group(2)
                        : "delete archive/stack/" + copy.group(2) + " under BACKUP_S3_PATH in the bucket";
            }
            String then =
                    "; then take a full backup (bin/stackctl backup --type full) so later restores do not need it";
            if (repositories.size() == 1) {
                return "WAL segment " + name + " is damaged in " + repositories.get(0) + " and the restore needs it:"
                        + " restore to an instant before it was written, or, when the other repository holds it"
                        + " whole, remove the damaged copy so pgBackRest reads that one (" + path + ")" + then;
            }
            return "WAL segment " + name + " cannot be read from any repository (" + String.join(", ", repositories)
                    + ") and the restore needs it: restore to an instant before it was written" + then;
        }
        if (failure.contains("unable to find") || failure.contains("recovery ended before")) {
            return "a WAL segment the restore needs is missing or damaged in every repository: restore to an earlier"
                    + " instant"
                    + " (bin/stackctl backups status shows what each holds), then take a full backup (bin/stackctl"
                    + " backup --type full)";
        }
        return PgBackRest.hint(failure) + "; --no-rehearsal skips this check (the live database is then stopped before"
                + " the repository is known to restore)";
    }

    /** Runs again a restore whose stackctl was killed (its journal is left); false when there is none. */
    public static boolean resumeInterrupted(Stack stack, PrintWriter progress, Duration timeout) {
        var entry = new PointInTimeJournal(stack.files().stateDir(), stack.project()).find();
        if (entry.isEmpty()
                || stack.engine().containers(stack.project(), Stack.DB).isEmpty()) {
            return false;
        }
        var target = entry.get().target();
        progress.printf(
                "a point-in-time restore to %s started %s was interrupted: running it again%n",
                target.describe(), entry.get().startedAt());
        progress.flush();
        new PointInTimeRestore(stack, progress, timeout).run(target);
        return true;
    }

    private static void requireBackup(RepositoryInfo info, Target target) {
        if (!info.hasBackup()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the repository holds no physical backup to restore from",
                    "take one: bin/stackctl backup --type full (WAL archived after it makes every later instant"
                            + " restorable)");
        }
        if (target.kind() == Kind.BACKUP
                && info.backups().stream().noneMatch(b -> b.label().equals(target.value()))) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    "the repository has no backup " + target.value() + "; the database was not touched",
                    "bin/stackctl backups status lists them");
        }
    }

    /** Restores to {@code target} behind the maintenance answer; call {@link #check} first. */
    public Outcome run(Target target) {
        var journal = new PointInTimeJournal(stack.files().stateDir(), stack.project());
        journal.begin(target, Instant.now());
        var maintenance = stack.maintenance();
        Thread onExit = new Thread(() -> maintenance.off(stack.runningNginx()), "maintenance-off");
        long start = System.nanoTime();
        progress(
                "taking the API out of service: nginx answers 503 maintenance (Retry-After %d s)",
                LiveRestore.RETRY_AFTER.toSeconds());
        maintenance.on(
                "the database is being restored to " + target.describe(),
                LiveRestore.RETRY_AFTER,
                stack.runningNginx());
        Runtime.getRuntime().addShutdownHook(onExit);
        double outOfService;
        String timeline;
        try {
            restoreDataDirectory(target);
            timeline = awaitPromoted();
            var cleared = stack.postToAReplica("/cache/clear");
            if (!cleared.ok()) {
                progress(
                        "warning: no replica cleared the cache yet (%s); entries expire within CACHE_TTL_SECONDS",
                        cleared.summary());
            }
            // The known trap: until the new timeline's history file is archived, a second restore would follow the
            // old timeline past the fork and bring back the rows this one threw away. PostgreSQL archives that file
            // first, at promotion; writes wait for it, not for a whole segment of the new timeline.
            progress("waiting for the new timeline's history file (%s.history) to reach the repository", timeline);
            pgbackrest.ensureStanza();
            awaitArchived(timeline + ".history");
            journal.end();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException e) {
                // shutting down: the hook turns maintenance off
            }
            maintenance.off(stack.runningNginx());
            outOfService = (System.nanoTime() - start) / 1e9;
            progress("the API is in service again after %.1fs", outOfService);
        }
        progress("waiting for the new timeline's first WAL segment to reach the repository");
        try {
            pgbackrest.check(ARCHIVE_WAIT);
        } catch (StackctlException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "restored to " + target.describe() + " and in service again, but the new timeline's WAL does not"
                            + " reach the repository: " + e.getMessage(),
                    e.hint() + "; bin/stackctl backups status shows the archive's failures");
        }
        // In service already: the new timeline is safe from a second restore, and this gives it a base of its own.
        progress("taking a full backup of the new timeline");
        try {
            var base = pgbackrest.backup(PgBackRest.Type.FULL, timeout).get(0).backup();
            return new Outcome(target, timeline, base, outOfService);
        } catch (StackctlException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "restored to " + target.describe() + " and in service again, but the full backup of the new"
                            + " timeline failed: " + e.getMessage(),
                    "take one when the cause is fixed (" + e.hint() + "): bin/stackctl backup --type full");
        }
    }

    /** Stops the db container, rewrites its data directory from the repository, starts it again. */
    private void restoreDataDirectory(Target target) {
        if (databaseRunning()) {
            progress("stopping the db container");
            stack.engine().stop(dbContainer, STOP_GRACE);
        }
        progress("restoring its data directory to %s (pgbackrest restore --delta)", target.describe());
        String[] command = new String[2 + target.script().length];
        command[0] = "bash";
        command[1] = "/stack/db/pitr.sh";
        System.arraycopy(target.script(), 0, command, 2, target.script().length);
        var result = stack.engine()
                .runBeside(dbContainer, stack.project() + "-pitr", timeout, stack.repositoryNetwork(), command);
        if (result.exitCode() != 0) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "pgbackrest restore failed (exit " + result.exitCode() + "); the db container is stopped: "
                            + PgBackRest.failed("restore", result.output()).getMessage(),
                    PgBackRest.hint(result.output()) + "; then run the restore again (its journal is kept, and"
                            + " bin/stackctl up runs it again too)");
        }
        progress("starting the db container: PostgreSQL replays the archived WAL to the target");
        stack.engine().start(dbContainer);
    }

    /** Waits until PostgreSQL has replayed to the target and accepts writes; returns its timeline. */
    private String awaitPromoted() {
        String[] timeline = {""};
        String[] last = {""};
        boolean promoted = Pause.until(timeout, POLL, () -> {
            try {
                String state = postgres.psql(
                                postgres.database(),
                                "SELECT pg_is_in_recovery() || ' ' || substr(pg_walfile_name(pg_current_wal_lsn()), 1,"
                                        + " 8)")
                        .strip();
                if (state.startsWith("false ")) {
                    timeline[0] = state.substring("false ".length());
                    return true;
                }
                last[0] = "still in recovery";
            } catch (StackctlException e) {
                last[0] = e.getMessage();
            }
            return false;
        });
        if (!promoted) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "PostgreSQL did not finish its recovery within " + timeout.toSeconds() + " s (" + last[0] + ")",
                    "see why with: bin/stackctl logs db; run the restore again when it is fixed (its journal is kept)");
        }
        return timeline[0];
    }

    /**
     * Waits until {@code file} is in every repository: pushed there directly, or else by PostgreSQL's archiver, whose
     * asynchronous archive-push reports a file done only once it is stored (PostgreSQL marks it {@code .done} then). An
     * archiver that failed before the stanza existed (a lost disk's new local repository) sleeps a minute: pgbackrest
     * check wakes it.
     */
    private void awaitArchived(String file) {
        // Pushed by stackctl itself first: the archiver's own push waited 10 to 70 s in CI (a minute's sleep after
        // it failed on the new local repository before its stanza existed), and the API waits out of service.
        if (pgbackrest.pushNow(file) || Pause.until(ARCHIVER_NUDGE, POLL, () -> archived(file))) {
            return;
        }
        pgbackrest.check(ARCHIVE_WAIT);
        if (!Pause.until(ARCHIVE_WAIT, POLL, () -> archived(file))) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "PostgreSQL has not archived " + file + " within " + ARCHIVE_WAIT.toSeconds() + " s",
                    "see why with: bin/stackctl backups status (the archive's failures) and bin/stackctl logs db;"
                            + " run the restore again when it is fixed (its journal is kept)");
        }
    }

    private boolean archived(String file) {
        return stack.engine()
                        .exec(
                                dbContainer,
                                Duration.ofSeconds(10),
                                "bash",
                                "-c",
                                "test -f \"$PGDATA/pg_wal/archive_status/$1.done\"",
                                "archived",
                                file)
                        .exitCode()
                == 0;
    }

    /**
     * Pushes the writes until now to the repository (pgbackrest check finishes the segment and waits for it); returns
     * when. A transaction with an id commits first: recovery stops at the first commit after its target, and one that
     * meets none (a quiet database) ends without reaching it, which PostgreSQL refuses to start from.
     */
    private Instant pushWalUntilNow() {
        Instant at = Instant.now();
        postgres.psql(postgres.database(), "SELECT pg_current_xact_id()");
        pgbackrest.check(ARCHIVE_WAIT);
        return at;
    }

    private void progress(String format, Object... args) {
        progress.printf(format + "%n", args);
        progress.flush();
    }
}
