package io.stackctl.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Json;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.postgres.PostgresContainer;
import io.stackctl.stack.Stack;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Proves that a repository restores, without touching the live stack: a restore to an instant inside what the
 * repository holds, into a scratch container of the db image (a volume of its own, the repository read-only, none of
 * the live database's volumes, archiving off), checked against the proof markers the db service writes once a minute
 * (compose/db/ensure-marker.sh): the restored database must hold exactly the markers committed before the instant.
 * A backup nobody restored is a hope; this makes it a measurement, with the time the restore took.
 */
public final class RestoreProof {

    /** How long the WAL written until now may take to reach the repository before the proof starts. */
    static final Duration ARCHIVE_WAIT = Duration.ofSeconds(60);

    /** A marker this close to the target could have committed on either side of it: no target is drawn there. */
    static final Duration MARGIN = Duration.ofSeconds(1);

    /**
     * One proof.
     *
     * @param expected the markers committed before the target, by the live database
     * @param restored the markers the restored database holds (empty when it did not come up)
     * @param tables every table of the restored database with its exact row count
     * @param readySeconds from the restore's start until the scratch database answered, promoted: the RTO measured
     * @param rpoSeconds how old the newest archived WAL was when the proof began: what a lost disk would take
     */
    public record Result(
            int repository,
            Instant at,
            Instant target,
            boolean passed,
            String failure,
            List<Long> expected,
            List<Long> restored,
            Map<String, Long> tables,
            double restoreSeconds,
            double readySeconds,
            double rpoSeconds) {}

    /** The last proof of each repository, kept in compose/state/<project>.proof.json. */
    public record History(Map<Integer, Result> last) {}

    /** A proof marker: its id and when it committed. */
    record Marker(long id, Instant at) {}

    /**
     * Where a proof runs: the engine, the db container, the network that reaches the repositories, and the host's
     * paths of the files the scratch container mounts (host paths, as the engine resolves them: the backup agent,
     * itself in a container, finds them from its own mounts).
     *
     * @param composeDir the stack's compose folder on the engine's host (the scripts in db/, the key in secrets/db/)
     * @param stateDir where the proofs are recorded, as this process sees it
     */
    public record Site(
            Engine engine, String project, String dbContainer, String network, Path composeDir, Path stateDir) {

        public static Site of(Stack stack) {
            return of(stack, stack.requirePrimaryDb().id());
        }

        /** With the db container given, running or not (a restore after a lost disk has it created, stopped). */
        public static Site of(Stack stack, String dbContainer) {
            return new Site(
                    stack.engine(),
                    stack.project(),
                    dbContainer,
                    stack.repositoryNetwork(),
                    stack.files().composeDir(),
                    stack.files().stateDir());
        }
    }

    private final Site site;
    private final String dbContainer;
    private final PgBackRest pgbackrest;

    public RestoreProof(Site site) {
        this.site = site;
        this.dbContainer = site.dbContainer();
        this.pgbackrest = new PgBackRest(site.engine(), dbContainer);
    }

    /** The repositories pgBackRest has: each can be proven. */
    public List<RepositoryInfo.Repository> repositories() {
        return pgbackrest.info().repositories();
    }

    /**
     * Restores repository {@code repository} to {@code target} (or an instant drawn from what it holds) in a scratch
     * container and checks the markers. Throws for what stops the proof before it starts (no backup, no marker, a
     * target outside the range); a restore that fails or holds the wrong markers is a failed {@link Result}.
     */
    public Result prove(int repository, Optional<Instant> target, Duration timeout, RandomGenerator random) {
        var postgres = new PostgresContainer(
                site.engine(), dbContainer, Stack.DATABASE, Stack.OPERATIONS_USER, Stack.APP_DATABASE_USER);
        var archiving = WalArchiving.of(postgres);
        double rpo = archiving
                .lastArchivedAt()
                .map(at -> Duration.between(at, archiving.now()).toMillis() / 1000.0)
                .orElse(-1.0);
        // Everything committed before this instant reaches the repository with the check below. Recovery to a time
        // stops at the first commit after it, and fails without one: a marker committed now is that commit (and one
        // the restore must not bring back).
        Instant archivedUntil = Instant.now().minusMillis(100);
        var marked = site.engine()
                .exec(
                        dbContainer,
                        Duration.ofSeconds(30),
                        "bash",
                        "-c",
                        "psql -X -q -v ON_ERROR_STOP=1 -U \"$POSTGRES_USER\" -d stackctl_proof"
                                + " -c 'INSERT INTO markers DEFAULT VALUES'");
        if (marked.exitCode() != 0) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "cannot write a proof marker: " + marked.output().strip(),
                    "the db service's health check makes the stackctl_proof database within a minute of a start"
                            + " (compose/db/ensure-marker.sh); see bin/stackctl logs db");
        }
        pgbackrest.check(ARCHIVE_WAIT);
        var info = pgbackrest.info();
        var copies = info.backupsIn(repository);
        if (copies.isEmpty()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "repo" + repository + " holds no backup, so there is nothing to prove",
                    "take one: bin/stackctl backup --type full (bin/stackctl backups status lists each repository)");
        }
        var markers = markers(postgres);
        if (markers.isEmpty()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the database holds no proof marker yet, so a restore cannot be checked against one",
                    "the db service's health check writes one a minute (compose/db/ensure-marker.sh): try again in a"
                            + " minute, and see bin/stackctl logs db if none comes");
        }
        Instant from = copies.get(0).stopped().plusSeconds(1);
        Instant chosen = target.orElseGet(() -> draw(from, archivedUntil, markers, random));
        if (chosen.isBefore(from) || chosen.isAfter(archivedUntil)) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    chosen + " is outside what repo" + repository + " restores",
                    "pick an instant from " + from + " (the end of its oldest backup) to " + archivedUntil + " (now)");
        }
        List<Long> expected = markers.stream()
                .filter(m -> m.at().isBefore(chosen))
                .map(Marker::id)
                .toList();
        var result = scratchRestore(
                "-prove",
                timeout,
                Integer.toString(repository),
                PointInTimeRestore.Target.time(chosen).script());
        var proof = result.output()
                .lines()
                .filter(line -> line.startsWith("PROOF "))
                .findFirst()
                .map(line -> line.substring("PROOF ".length()));
        Result outcome;
        if (result.exitCode() != 0 || proof.isEmpty()) {
            outcome = new Result(
                    repository,
                    Instant.now(),
                    chosen,
                    false,
                    "the restore into the scratch container failed (exit " + result.exitCode() + "): "
                            + errorLines(result.output()),
                    expected,
                    List.of(),
                    Map.of(),
                    0,
                    0,
                    rpo);
        } else {
            outcome = judge(repository, chosen, expected, proof.get(), rpo);
        }
        record(outcome);
        return outcome;
    }

    /** The restored database's answer, judged against the markers the live one committed before the target. */
    static Result judge(int repository, Instant target, List<Long> expected, String proofJson, double rpo) {
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(proofJson);
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "the scratch container's answer is not JSON: " + proofJson,
                    "check compose/db/prove.sh in the db image");
        }
        List<Long> restored = new ArrayList<>();
        doc.path("markers").forEach(id -> restored.add(id.asLong()));
        Map<String, Long> tables = new LinkedHashMap<>();
        doc.path("tables")
                .fields()
                .forEachRemaining(e -> tables.put(e.getKey(), e.getValue().asLong()));
        String failure = "";
        if (!restored.equals(expected)) {
            var missing = expected.stream().filter(id -> !restored.contains(id)).toList();
            var extra = restored.stream().filter(id -> !expected.contains(id)).toList();
            failure = "the restored database does not hold exactly the " + expected.size()
                    + " markers committed before the target: " + (missing.isEmpty() ? "" : "missing " + missing)
                    + (missing.isEmpty() || extra.isEmpty() ? "" : ", ")
                    + (extra.isEmpty() ? "" : "from after it " + extra);
        }
        return new Result(
                repository,
                Instant.now(),
                target,
                failure.isEmpty(),
                failure,
                expected,
                List.copyOf(restored),
                tables,
                doc.path("restore_seconds").asDouble(),
                doc.path("ready_seconds").asDouble(),
                rpo);
    }

    /** A target drawn uniformly from [from, until], after the first marker, and not within MARGIN of any marker. */
    static Instant draw(Instant from, Instant until, List<Marker> markers, RandomGenerator random) {
        Instant start = from.isAfter(markers.get(0).at().plus(MARGIN))
                ? from
                : markers.get(0).at().plus(MARGIN);
        long span = until.toEpochMilli() - start.toEpochMilli();
        if (span <= 0) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the repository holds nothing after its oldest backup and the first proof marker to restore to",
                    "try again in a minute, when the db service has written the next marker and WAL has been archived");
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            Instant candidate = start.plusMillis(random.nextLong(span + 1));
            boolean clear = markers.stream()
                    .allMatch(m -> Duration.between(m.at(), candidate).abs().compareTo(MARGIN) > 0);
            if (clear) {
                return candidate;
            }
        }
        return until;
    }

    private List<Marker> markers(PostgresContainer postgres) {
        String json;
        try {
            json = postgres.psql(
                            "stackctl_proof",
                            "SELECT coalesce(json_agg(json_build_array(id, extract(epoch FROM at)) ORDER BY id), '[]')"
                                    + " FROM markers")
                    .strip();
        } catch (StackctlException e) {
            return List.of();
        }
        List<Marker> markers = new ArrayList<>();
        try {
            for (JsonNode m : Json.MAPPER.readTree(json)) {
                markers.add(new Marker(
                        m.get(0).asLong(),
                        Instant.ofEpochMilli(Math.round(m.get(1).asDouble() * 1000))));
            }
        } catch (IOException e) {
            return List.of();
        }
        return markers;
    }

    /** The last proof of each repository. */
    public static History history(Path stateDir, String project) {
        return file(stateDir, project).readOr(new History(Map.of()));
    }

    /** A restore done once in a scratch container first: whether it came up, why not, and how long it took. */
    public record Rehearsal(boolean passed, String failure, double readySeconds) {}

    /**
     * Restores to {@code target} from the repositories as the live restore reads them (every one, pgBackRest choosing
     * as it will then), in a scratch container: what would stop the live restore half-way (a WAL segment missing or
     * damaged, a backup that does not restore) stops this instead, with nothing of the live stack touched.
     */
    public Rehearsal rehearse(PointInTimeRestore.Target target, Duration timeout) {
        var result = scratchRestore("-rehearse", timeout, "all", target.script());
        var proof = result.output()
                .lines()
                .filter(line -> line.startsWith("PROOF "))
                .findFirst();
        if (result.exitCode() != 0 || proof.isEmpty()) {
            return new Rehearsal(
                    false,
                    "the restore into a scratch container failed (exit " + result.exitCode() + "): "
                            + errorLines(result.output()),
                    0);
        }
        try {
            return new Rehearsal(
                    true,
                    "",
                    Json.MAPPER
                            .readTree(proof.get().substring("PROOF ".length()))
                            .path("ready_seconds")
                            .asDouble());
        } catch (IOException e) {
            return new Rehearsal(false, "the scratch container's answer is not JSON: " + proof.get(), 0);
        }
    }

    private Engine.ExecResult scratchRestore(String suffix, Duration timeout, String repository, String... target) {
        // The key and the S3 credentials come from compose/secrets/db, mounted below, on either target: on Swarm the
        // db's own variable names a Docker secret, which only its task can read.
        List<String> command = new ArrayList<>(List.of(
                "env",
                "BACKUP_CIPHER_PASS_FILE=/run/stack-secrets/backup-cipher-pass",
                "bash",
                "/stack/db/prove.sh",
                repository));
        command.addAll(List.of(target));
        return site.engine()
                .runScratch(
                        dbContainer,
                        site.project() + suffix,
                        timeout,
                        site.network(),
                        List.of(
                                site.project() + "_db-backup:" + PgBackRest.REPOSITORY + ":ro",
                                site.composeDir().resolve("secrets").resolve("db") + ":/run/stack-secrets:ro",
                                site.composeDir().resolve("db") + ":/stack/db:ro"),
                        "/scratch",
                        command.toArray(String[]::new));
    }

    private void record(Result outcome) {
        Map<Integer, Result> last =
                new LinkedHashMap<>(history(site.stateDir(), site.project()).last());
        last.put(outcome.repository(), outcome);
        file(site.stateDir(), site.project()).write(new History(last));
    }

    private static JournalFile<History> file(Path stateDir, String project) {
        return new JournalFile<>(stateDir.resolve(project + ".proof.json"), History.class);
    }

    /** The lines that say what failed, each pgBackRest error with its indented cause lines. */
    static String errorLines(String output) {
        List<String> lines = new ArrayList<>();
        boolean inError = false;
        for (String line : output.lines().toList()) {
            boolean cause = inError && line.startsWith(" ");
            inError = line.contains("ERROR") || cause;
            if (cause
                    || line.contains("ERROR")
                    || line.contains("FATAL")
                    || line.contains("did not")
                    || line.contains("unable to find")
                    || line.contains("stopped before")
                    || line.contains("still in recovery")) {
                lines.add(cause ? line.strip() : line);
            }
        }
        if (!lines.isEmpty()) {
            return String.join(" / ", lines.subList(0, Math.min(lines.size(), 8)));
        }
        var all = output.strip().lines().toList();
        return all.isEmpty() ? "no output" : all.get(all.size() - 1);
    }
}
