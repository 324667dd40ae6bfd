package io.stackctl.cli;

import io.stackctl.backup.Manifest;
import io.stackctl.backup.Pruning;
import io.stackctl.backup.Retention;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.Stack;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "backups",
        description = "List, verify and prune the backups in the backup folder.",
        subcommands = {BackupsCommand.ListBackups.class, BackupsCommand.Verify.class, BackupsCommand.Prune.class})
final class BackupsCommand implements Runnable {

    @picocli.CommandLine.Mixin
    HelpOption help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: list, verify or prune");
    }

    static String verifiedText(Manifest manifest) {
        var v = manifest.verification();
        if (v == null) {
            return "never";
        }
        return v.ok() ? "ok (restore %.1fs)".formatted(v.restoreMs() / 1000.0) : "FAILED";
    }

    @Command(name = "list", description = "Backups of the project, newest first: age, size, rows, verified or not.")
    static final class ListBackups extends StackCommand {

        @Mixin
        BackupOptions options;

        @Override
        public Integer call() {
            var store = options.store(files(), environment());
            var backups = store.list(global.project());
            Instant now = Instant.now();
            if (global.json()) {
                List<Map<String, Object>> doc = new ArrayList<>();
                for (var backup : backups) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("file", backup.dump().toString());
                    row.put("manifest", backup.manifest().orElse(null));
                    doc.add(row);
                }
                output().json(doc);
                return ExitCodes.OK;
            }
            if (backups.isEmpty()) {
                output().line("no backups of project '" + global.project() + "' in " + store.dir());
                return ExitCodes.OK;
            }
            List<List<String>> rows = new ArrayList<>();
            for (var backup : backups) {
                rows.add(backup.manifest()
                        .map(m -> List.of(
                                backup.name(),
                                Output.age(m.createdAt(), now),
                                Output.size(m.sizeBytes()),
                                String.valueOf(m.rowCounts().getOrDefault("public.tasks", 0L)),
                                verifiedText(m)))
                        .orElse(List.of(backup.name(), "?", "?", "?", "no manifest")));
            }
            output().table(List.of("FILE", "AGE", "SIZE", "TASKS", "VERIFIED"), rows);
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "verify",
            description = "Restore a backup into a scratch database, compare row counts, drop it; the result (and the"
                    + " restore time) is recorded in the manifest.")
    static final class Verify extends StackCommand {

        @Override
        boolean changesStack() {
            return true;
        }

        @Parameters(index = "0", paramLabel = "FILE|latest", description = "A dump file, or latest.")
        String file;

        @Mixin
        BackupOptions options;

        @Override
        public Integer call() {
            try (Stack stack = openStack()) {
                var selected = options.select(this, stack, file);
                var backup = selected.backup();
                var manifest = selected.backups().verify(backup);
                var fit = selected.backups().schemaFit(manifest);
                if (global.json()) {
                    var document = BackupOptions.document(backup.dump(), manifest);
                    document.put("schema_fit", fit.fit());
                    document.put("schema", fit.describe());
                    output().json(document);
                } else {
                    output().line("verified %s: restored into a scratch database in %.1fs, row counts match (%d rows);"
                                    .formatted(
                                            backup.name(),
                                            manifest.verification().restoreMs() / 1000.0,
                                            manifest.totalRows())
                            + " " + fit.describe());
                }
                if (fit.fit() == io.stackctl.backup.SchemaFit.newer) {
                    throw new StackctlException(
                            ExitCodes.CHECK_FAILED,
                            backup.name() + " is intact but holds " + fit.describe()
                                    + ": restore would refuse it while this app runs",
                            "deploy the app release that brought that schema first, or keep an older backup at hand");
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "prune",
            description = "Delete backups outside the grandfather-father-son policy; the newest verified backup is"
                    + " always kept.")
    static final class Prune extends StackCommand {

        @Option(names = "--keep-daily", paramLabel = "N", defaultValue = "7", description = "Days (default: 7).")
        int daily;

        @Option(names = "--keep-weekly", paramLabel = "N", defaultValue = "4", description = "ISO weeks (default: 4).")
        int weekly;

        @Option(names = "--keep-monthly", paramLabel = "N", defaultValue = "6", description = "Months (default: 6).")
        int monthly;

        @Option(names = "--dry-run", description = "Show what would be deleted; delete nothing.")
        boolean dryRun;

        @Option(names = "--yes", description = "Do not ask for confirmation before deleting.")
        boolean yes;

        private boolean defaults() {
            return daily == 7 && weekly == 4 && monthly == 6;
        }

        @Mixin
        BackupOptions options;

        @Override
        public Integer call() {
            if (daily < 0 || weekly < 0 || monthly < 0) {
                throw new StackctlException(
                        ExitCodes.USAGE, "keep counts cannot be negative", "e.g. --keep-daily 7 --keep-weekly 4");
            }
            var policy = new Retention.Policy(daily, weekly, monthly);
            if (policy.keepsNothing()) {
                throw new StackctlException(
                        ExitCodes.USAGE,
                        "--keep-daily, --keep-weekly and --keep-monthly are all 0: that would delete every backup",
                        "keep at least one period, e.g. --keep-daily 1");
            }
            try (var lock = dryRun ? null : lockFiles()) {
                return prune(policy);
            }
        }

        private Integer prune(Retention.Policy policy) {
            var pruning = new Pruning(options.store(files(), environment()), global.project(), policy);
            var plan = pruning.decisions();
            List<String> doomed = pruning.doomed();
            if (!dryRun && !yes && !doomed.isEmpty()) {
                progress(
                        "policy: keep %d daily, %d weekly, %d monthly%s; the newest verified backup is always kept",
                        policy.daily(),
                        policy.weekly(),
                        policy.monthly(),
                        defaults() ? " (the defaults: --keep-daily, --keep-weekly, --keep-monthly change them)" : "");
                doomed.forEach(name -> progress("  would delete %s", name));
                if (!confirm(
                        "Delete these %d of %d backups? Type yes to go on: ".formatted(doomed.size(), plan.size()))) {
                    throw new StackctlException(
                            ExitCodes.CHECK_FAILED,
                            "prune not confirmed; nothing was deleted",
                            "answer yes, pass --yes to skip the question, or --dry-run to only look");
                }
            }
            if (!dryRun) {
                pruning.execute();
            }
            List<List<String>> rows = new ArrayList<>();
            for (var decision : plan) {
                rows.add(List.of(
                        decision.candidate().name(),
                        decision.keep() ? "keep" : (dryRun ? "would delete" : "deleted"),
                        String.join(", ", decision.reasons())));
            }
            if (global.json()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("dry_run", dryRun);
                doc.put("policy", policy);
                doc.put(
                        "decisions",
                        plan.stream()
                                .map(d ->
                                        Map.of("file", d.candidate().name(), "keep", d.keep(), "reasons", d.reasons()))
                                .toList());
                output().json(doc);
            } else {
                output().table(List.of("FILE", "ACTION", "WHY KEPT"), rows);
                output().line("%s %d of %d backups"
                        .formatted(dryRun ? "would delete" : "deleted", doomed.size(), plan.size()));
            }
            return ExitCodes.OK;
        }
    }
}
