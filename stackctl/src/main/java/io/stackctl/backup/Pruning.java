package io.stackctl.backup;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Backups judged by a retention policy, then deleted. A file without a manifest is not stackctl's to judge and is
 * never deleted; the newest verified backup is always kept ({@link Retention}).
 */
public final class Pruning {

    private final BackupStore store;
    private final Map<String, BackupStore.StoredBackup> byName = new LinkedHashMap<>();
    private final List<Retention.Decision> decisions;

    public Pruning(BackupStore store, String project, Retention.Policy policy) {
        this.store = store;
        List<Retention.Candidate> candidates = new ArrayList<>();
        for (var backup : store.list(project)) {
            backup.manifest().ifPresent(m -> {
                byName.put(backup.name(), backup);
                candidates.add(new Retention.Candidate(backup.name(), m.createdAt(), m.verified()));
            });
        }
        this.decisions = Retention.plan(candidates, policy);
    }

    public List<Retention.Decision> decisions() {
        return decisions;
    }

    /** The backups the policy lets go. */
    public List<String> doomed() {
        return decisions.stream()
                .filter(d -> !d.keep())
                .map(d -> d.candidate().name())
                .toList();
    }

    /** Deletes what the policy lets go, each file with its manifest; exit 1 naming the file that would not go. */
    public void execute() {
        for (String name : doomed()) {
            try {
                store.delete(byName.get(name));
            } catch (IOException e) {
                throw new StackctlException(
                        ExitCodes.FAILED,
                        "cannot delete " + name + ": " + e.getMessage(),
                        "check the permissions of " + store.dir());
            }
        }
    }
}
