package io.stackctl.cli;

import io.stackctl.core.ByteSize;
import io.stackctl.core.ExitCodes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "list", description = "Backups of the project, newest first: age, size, rows, verified or not.")
final class BackupsList extends StackCommand {

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
                            ByteSize.human(m.sizeBytes()),
                            String.valueOf(m.rowCounts().getOrDefault("public.tasks", 0L)),
                            BackupsCommand.verifiedText(m)))
                    .orElse(List.of(backup.name(), "?", "?", "?", "no manifest")));
        }
        output().table(List.of("FILE", "AGE", "SIZE", "TASKS", "VERIFIED"), rows);
        return ExitCodes.OK;
    }
}
