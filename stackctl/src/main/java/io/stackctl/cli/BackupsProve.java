package io.stackctl.cli;

import io.stackctl.backup.RestoreProof;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.Stack;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "prove",
        description = "Proves that each of pgBackRest's repositories restores: a restore to a random instant inside"
                + " what it holds, into a scratch container (its own volume; the live stack is not touched), checked"
                + " against the proof markers the db service writes once a minute; records the time it took (the"
                + " RTO) and the age of the newest archived WAL (the RPO). Exit 1 when a proof fails.")
final class BackupsProve extends StackCommand {

    @Option(
            names = "--repo",
            paramLabel = "N",
            description = "prove this repository only: 1 (local) or 2 (off-host); default every one")
    Integer repo;

    @Option(
            names = "--to-time",
            paramLabel = "TIME",
            description = "restore to this instant (ISO-8601 with its offset) instead of a random one")
    String toTime;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "PT30M",
            converter = DurationConverter.class,
            description = "the longest one proof may take (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() {
        Optional<Instant> target = Optional.ofNullable(toTime).map(BackupsProve::instant);
        if (repo != null && repo != 1 && repo != 2) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "--repo must be 1 (local) or 2 (off-host), got " + repo,
                    "bin/stackctl backups status lists the repositories");
        }
        try (Stack stack = openStack()) {
            stack.requireRunning();
            var proof = new RestoreProof(RestoreProof.Site.of(stack));
            List<Integer> keys = new ArrayList<>();
            for (var r : proof.repositories()) {
                if (repo == null || r.key() == repo) {
                    keys.add(r.key());
                }
            }
            if (keys.isEmpty()) {
                throw new StackctlException(
                        ExitCodes.PRECONDITION,
                        "there is no repo" + repo + " to prove",
                        "an off-host repository (repo2) is configured with BACKUP_S3_* in compose/.env (docs/backups.md)");
            }
            List<RestoreProof.Result> results = new ArrayList<>();
            for (int key : keys) {
                progress(
                        "proving repo%d: a restore to %s into a scratch container (%s-prove)",
                        key, target.map(Instant::toString).orElse("a random instant"), stack.project());
                var result = proof.prove(key, target, timeout, RandomGenerator.getDefault());
                results.add(result);
                if (!global.json()) {
                    output().line(line(result));
                }
            }
            if (global.json()) {
                output().json(results);
            }
            boolean failed = results.stream().anyMatch(r -> !r.passed());
            if (failed) {
                throw new StackctlException(
                        ExitCodes.CHECK_FAILED,
                        "a repository failed its proof: a restore from it would not bring back what it should",
                        "see the failure above; bin/stackctl backups status shows each repository and the archiver,"
                                + " and a new full backup (bin/stackctl backup --type full) starts a chain that does"
                                + " not need what is damaged");
            }
        }
        return ExitCodes.OK;
    }

    static String line(RestoreProof.Result r) {
        if (!r.passed()) {
            return "repo%d FAILED to %s: %s".formatted(r.repository(), r.target(), r.failure());
        }
        return "repo%d proven to %s: all %d proof markers committed before it and none after; restored in %.1fs,"
                        .formatted(r.repository(), r.target(), r.expected().size(), r.restoreSeconds())
                + " answering in %.1fs (RTO); the newest archived WAL was %.0fs old (RPO); %s"
                        .formatted(
                                r.readySeconds(),
                                r.rpoSeconds(),
                                r.tables().entrySet().stream()
                                        .filter(e -> !e.getKey().startsWith("public.flyway"))
                                        .map(e -> e.getKey() + " " + e.getValue())
                                        .reduce((a, b) -> a + ", " + b)
                                        .orElse("no tables"));
    }

    private static Instant instant(String value) {
        try {
            return OffsetDateTime.parse(value.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "--to-time must be an ISO-8601 instant with its offset, got '" + value + "'",
                    "for example --to-time 2026-12-01T14:02:16Z");
        }
    }
}
