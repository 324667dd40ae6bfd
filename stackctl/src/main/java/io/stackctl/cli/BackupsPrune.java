package io.stackctl.cli;

import io.stackctl.backup.Pruning;
import io.stackctl.backup.Retention;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "prune",
        description = "Delete backups outside the grandfather-father-son policy; the newest verified backup is"
                + " always kept.")
final class BackupsPrune extends StackCommand {

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
            if (!confirm("Delete these %d of %d backups? Type yes to go on: ".formatted(doomed.size(), plan.size()))) {
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
                            .map(d -> Map.of("file", d.candidate().name(), "keep", d.keep(), "reasons", d.reasons()))
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
