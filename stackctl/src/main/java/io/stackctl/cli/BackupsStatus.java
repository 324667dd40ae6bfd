package io.stackctl.cli;

import io.stackctl.backup.BackupSchedule;
import io.stackctl.backup.PgBackRest;
import io.stackctl.backup.RepositoryInfo;
import io.stackctl.backup.RestoreProof;
import io.stackctl.backup.ScheduledBackups;
import io.stackctl.backup.WalArchiving;
import io.stackctl.core.ByteSize;
import io.stackctl.core.ExitCodes;
import io.stackctl.postgres.PostgresContainer;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.OffsiteRepository;
import io.stackctl.stack.Stack;
import io.stackctl.stack.StackSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(
        name = "status",
        description = "pgBackRest's repository (its physical backups, the archived WAL, its size) and WAL archiving"
                + " (the newest archived segment and its age, segments waiting, failures): how much a lost disk"
                + " would take with it.")
final class BackupsStatus extends StackCommand {

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
            var db = stack.requirePrimaryDb();
            var archiving = WalArchiving.of(PostgresContainer.of(stack));
            var repository = new PgBackRest(stack.engine(), db.id()).info();
            var problems = archiving.problems(WalArchiving.STUCK_AFTER);
            if (global.json()) {
                output().json(document(stack, repository, archiving, problems));
            } else {
                print(stack, repository, archiving);
            }
            problems.forEach(p -> err().println("warning: " + p));
            repository
                    .unreadable()
                    .forEach(r -> err().println("warning: the " + r.name() + " repository cannot be" + " read: "
                            + r.detail() + " (" + PgBackRest.hint(r.detail()) + ")"));
            if (!repository.hasBackup()) {
                err().println("warning: the repository holds no backup yet, so the archived WAL has nothing to"
                        + " replay onto: bin/stackctl backup --type full");
            }
        }
        return ExitCodes.OK;
    }

    private void print(Stack stack, RepositoryInfo repository, WalArchiving archiving) {
        Instant now = archiving.now();
        var offsite = OffsiteRepository.resolve(
                stack.environment(), EnvFile.load(stack.files().envFile()));
        for (var repo : repository.repositories()) {
            var copies = repository.backupsIn(repo.key());
            output().line("repo%d       %s: %s, %s, %d backup%s, %s stored, %s"
                    .formatted(
                            repo.key(),
                            where(stack, repo.key(), offsite),
                            repository.cipher().isEmpty() ? "NOT encrypted" : repository.cipher(),
                            repo.readable() ? repo.status() : "UNREADABLE: " + repo.detail(),
                            copies.size(),
                            copies.size() == 1 ? "" : "s",
                            ByteSize.human(repository.storedSize(repo.key())),
                            repo.walMin().isEmpty() ? "no WAL yet" : "WAL " + repo.walMin() + " to " + repo.walMax()));
        }
        output().line("archiving   %s".formatted(archivingText(archiving, now)));
        scheduleRows(stack, now)
                .forEach(row -> output().line("scheduled   %-5s %s"
                        .formatted(
                                row.get("job"),
                                "'%s', next %s%s"
                                        .formatted(
                                                row.get("expression"),
                                                row.get("next") == null ? "never (off)" : row.get("next"),
                                                row.get("last") instanceof ScheduledBackups.Run run
                                                        ? "; last %s %s ago: %s"
                                                                .formatted(
                                                                        run.ok() ? "done" : "FAILED",
                                                                        Output.age(run.at(), now),
                                                                        run.detail())
                                                        : "; not run yet"))));
        var proofs =
                RestoreProof.history(stack.files().stateDir(), stack.project()).last();
        if (proofs.isEmpty()) {
            output().line(
                            "proven      never: bin/stackctl backups prove restores each repository into a scratch container");
        }
        proofs.values()
                .forEach(p -> output().line("proven      repo%d %s %s ago: to %s, %s"
                        .formatted(
                                p.repository(),
                                p.passed() ? "passed" : "FAILED",
                                Output.age(p.at(), now),
                                p.target(),
                                p.passed()
                                        ? "answering in %.1fs".formatted(p.readySeconds())
                                        : p.readySeconds() > 0
                                                ? "answering in %.1fs, but %s".formatted(p.readySeconds(), p.failure())
                                                : "it never answered: " + p.failure())));
        if (repository.hasBackup()) {
            output().line("");
            List<List<String>> rows = new ArrayList<>();
            var newestFirst = new ArrayList<>(repository.backups());
            java.util.Collections.reverse(newestFirst);
            for (var b : newestFirst) {
                rows.add(List.of(
                        b.label(),
                        "repo" + b.repository(),
                        b.type(),
                        Output.age(b.stopped(), now) + " ago",
                        "%.1fs".formatted(b.seconds()),
                        ByteSize.human(b.size()),
                        ByteSize.human(b.storedSize()),
                        b.walStart() + " to " + b.walStop()));
            }
            output().table(List.of("BACKUP", "REPO", "TYPE", "TAKEN", "TOOK", "SIZE", "STORED", "WAL"), rows);
        }
    }

    private static String where(Stack stack, int key, java.util.Optional<OffsiteRepository> offsite) {
        if (key == 1) {
            return "local, " + PgBackRest.REPOSITORY + " on volume " + stack.project() + "_db-backup";
        }
        return "off-host, " + offsite.map(OffsiteRepository::location).orElse("S3");
    }

    /** Each job of the backup schedule the stack's agent runs: its expression, next run and last run. */
    private static List<Map<String, Object>> scheduleRows(Stack stack, Instant now) {
        var envFile = EnvFile.load(stack.files().envFile());
        var schedule = BackupSchedule.parse(key -> StackSettings.setting(key, "", stack.environment(), envFile));
        var runs = ScheduledBackups.history(stack.files().stateDir(), stack.project())
                .last();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (var job : BackupSchedule.Job.values()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("job", job.label());
            row.put("expression", schedule.expression(job));
            row.put(
                    "next",
                    schedule.next(job, now.atZone(java.time.ZoneOffset.UTC))
                            .map(at -> at.toInstant().toString())
                            .orElse(null));
            row.put("last", runs.get(job.label()));
            rows.add(row);
        }
        return rows;
    }

    static String archivingText(WalArchiving archiving, Instant now) {
        if (!archiving.on()) {
            return "OFF";
        }
        String last = archiving
                .lastArchivedAt()
                .map(at -> "last " + archiving.lastArchivedWal() + " " + WalArchiving.text(Duration.between(at, now))
                        + " ago")
                .orElse("nothing archived yet");
        String waiting = archiving.waiting() == 0
                ? "none waiting"
                : archiving.waiting() + " waiting (oldest " + WalArchiving.text(archiving.oldestWaiting()) + ")";
        String failures = archiving.failedCount() == 0
                ? "no failure"
                : archiving.failedCount() + " failure" + (archiving.failedCount() == 1 ? "" : "s")
                        + (archiving.failing()
                                ? ", failing now"
                                : ", the last one "
                                        + archiving
                                                .lastFailedAt()
                                                .map(at -> WalArchiving.text(Duration.between(at, now)) + " ago")
                                                .orElse(""));
        return "on, archive_timeout %s: %s; %s; %s; writing %s"
                .formatted(archiving.archiveTimeout(), last, waiting, failures, archiving.currentWal());
    }

    private static Map<String, Object> document(
            Stack stack, RepositoryInfo repository, WalArchiving archiving, List<String> problems) {
        // The schedule's record of a job is written after what the job did (a proof, each repository's), so reading
        // it first makes the document consistent: a job shown done has its proofs below. Read the other way round, a
        // proof recorded between the two reads showed as done with its last repository's proof missing (CI, once).
        var schedule = scheduleRows(stack, archiving.now());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("project", stack.project());
        Map<String, Object> repo = new LinkedHashMap<>();
        repo.put("path", PgBackRest.REPOSITORY);
        repo.put("volume", stack.project() + "_db-backup");
        repo.put("stanza", repository.stanza());
        repo.put("status", repository.status());
        repo.put("cipher", repository.cipher());
        repo.put("stored_bytes", repository.storedSize(1));
        repo.put("wal_min", repository.walMin());
        repo.put("wal_max", repository.walMax());
        repo.put("backups", repository.backupsIn(1));
        doc.put("repository", repo);
        List<Map<String, Object>> all = new ArrayList<>();
        for (var r : repository.repositories()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("repo", r.key());
            one.put("status", r.status());
            one.put("readable", r.readable());
            one.put("detail", r.detail());
            one.put("wal_min", r.walMin());
            one.put("wal_max", r.walMax());
            one.put("stored_bytes", repository.storedSize(r.key()));
            one.put("backups", repository.backupsIn(r.key()));
            all.add(one);
        }
        doc.put("repositories", all);
        doc.put(
                "proofs",
                RestoreProof.history(stack.files().stateDir(), stack.project())
                        .last()
                        .values());
        doc.put("schedule", schedule);
        Map<String, Object> wal = new LinkedHashMap<>();
        wal.put("on", archiving.on());
        wal.put("archive_timeout", archiving.archiveTimeout());
        wal.put("last_archived_wal", archiving.lastArchivedWal());
        wal.put("last_archived_at", archiving.lastArchivedAt().orElse(null));
        wal.put(
                "last_archived_age_seconds",
                archiving
                        .lastArchivedAt()
                        .map(at -> Duration.between(at, archiving.now()).toMillis() / 1000.0)
                        .orElse(null));
        wal.put("archived_count", archiving.archivedCount());
        wal.put("failed_count", archiving.failedCount());
        wal.put("last_failed_wal", archiving.lastFailedWal());
        wal.put("last_failed_at", archiving.lastFailedAt().orElse(null));
        wal.put("failing", archiving.failing());
        wal.put("waiting", archiving.waiting());
        wal.put("oldest_waiting_seconds", archiving.oldestWaiting().toMillis() / 1000.0);
        wal.put("current_wal", archiving.currentWal());
        doc.put("archiving", wal);
        doc.put("problems", problems);
        return doc;
    }
}
