package io.stackctl.backup;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * pgBackRest in the stack's db container (compose/images/db), driven through {@code docker exec} as the postgres user,
 * as the server's own archive_command runs it: physical backups into its repository, and what the repository holds.
 * compose/db/start.sh writes its configuration (repository, cipher, retention) from compose/.env at each start.
 */
public final class PgBackRest {

    /** The stanza compose/db/start.sh configures: one cluster per stack, so one name serves every stack. */
    public static final String STANZA = "stack";
    /** Where the repository lives in the container: the db-backup volume. */
    public static final String REPOSITORY = "/var/lib/pgbackrest";

    /** pgBackRest's backup types: a whole copy, what changed since the last full one, or since the last backup. */
    public enum Type {
        FULL,
        DIFF,
        INCR;

        public String option() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final List<String> AS_POSTGRES =
            List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "pgbackrest");

    private final Engine engine;
    private final String containerId;

    public PgBackRest(Engine engine, String containerId) {
        this.engine = engine;
        this.containerId = containerId;
    }

    /** A backup taken, and what pgBackRest said on the way (a diff with no full before it becomes a full one). */
    public record Taken(RepositoryInfo.Backup backup, List<String> warnings) {}

    /**
     * Takes a backup of {@code type}: a checkpoint, the data files copied while the database serves, then the WAL that
     * makes them consistent is archived before pgBackRest reports success, so the backup restores on its own.
     */
    public Taken backup(Type type, Duration timeout) {
        var before = info().backups().stream().map(RepositoryInfo.Backup::label).toList();
        var result =
                run(timeout, "--stanza=" + STANZA, "--type=" + type.option(), "--log-level-console=warn", "backup");
        if (result.exitCode() != 0) {
            throw failed("pgbackrest backup --type=" + type.option(), result.output());
        }
        var after = info();
        var taken = after.backups().stream()
                .filter(b -> !before.contains(b.label()))
                .reduce((first, second) -> second)
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.FAILED,
                        "pgbackrest backup exited 0 but the repository lists no new backup",
                        "check the repository with: docker exec <db container> pgbackrest info"));
        List<String> warnings = new ArrayList<>();
        result.output()
                .lines()
                .filter(line -> line.contains("WARN:"))
                .map(line -> line.substring(line.indexOf("WARN:") + 5).strip())
                .forEach(warnings::add);
        return new Taken(taken, warnings);
    }

    /**
     * pgBackRest's own check, end to end: PostgreSQL finishes the segment it writes (pg_switch_wal, as the superuser
     * pgBackRest connects as, so stackctl's role needs no such right), and the check waits until that segment is in
     * the repository. Throws, with what to look at, when it is not within {@code archiveTimeout}.
     */
    public void check(Duration archiveTimeout) {
        var result = run(
                archiveTimeout.plusSeconds(30),
                "--stanza=" + STANZA,
                "--archive-timeout=" + Math.max(1, archiveTimeout.toSeconds()),
                "--log-level-console=warn",
                "check");
        if (result.exitCode() != 0) {
            throw failed("pgbackrest check (the WAL written until now, to the repository)", result.output());
        }
    }

    /** What the repository holds for the stanza. */
    public RepositoryInfo info() {
        return infoOf(run(Duration.ofMinutes(2), "--stanza=" + STANZA, "--output=json", "info"));
    }

    /**
     * What the repository holds, read by a one-off container of the stopped db container's image and volumes: with the
     * database down (its volume lost) there is no container to exec into.
     */
    public RepositoryInfo infoFromStopped(String name) {
        return infoOf(engine.runBeside(containerId, name, Duration.ofMinutes(2), "bash", "/stack/db/pitr.sh", "info"));
    }

    private static RepositoryInfo infoOf(Engine.ExecResult result) {
        if (result.exitCode() != 0) {
            throw failed("pgbackrest info", result.output());
        }
        // Warnings go to stderr, which the exec merges: the document is the one line that starts the array.
        String json = result.output()
                .lines()
                .filter(line -> line.startsWith("["))
                .findFirst()
                .orElse(result.output());
        return RepositoryInfo.parse(json, STANZA).requireReadable();
    }

    private Engine.ExecResult run(Duration timeout, String... arguments) {
        List<String> command = new ArrayList<>(AS_POSTGRES);
        command.addAll(List.of(arguments));
        return engine.exec(containerId, timeout, command.toArray(String[]::new));
    }

    /** pgBackRest's error, with what to do about the ones an operator meets. */
    static StackctlException failed(String what, String output) {
        String error = output.lines()
                .filter(line -> line.contains("ERROR:"))
                .map(line -> line.substring(line.indexOf("ERROR:")).strip())
                .findFirst()
                .orElse(output.strip().isEmpty() ? "no output" : lastLine(output));
        return new StackctlException(ExitCodes.FAILED, what + " failed: " + error, hint(output));
    }

    static String hint(String output) {
        if (output.contains("executable file not found") || output.contains("pgbackrest: not found")) {
            return "the db image has no pgBackRest: run bin/stackctl up, which builds it (compose/images/db) and"
                    + " recreates the db service";
        }
        if (output.contains("does not exist") && output.contains("stanza")
                || output.contains("missing stanza")
                || output.contains("[055]")) {
            return "the repository has no stanza yet: the db service's health check makes it within seconds of a"
                    + " start; wait for bin/stackctl status to show db healthy, then try again";
        }
        if (output.contains("[082]") || output.contains("was not archived before the")) {
            return "PostgreSQL's WAL is not reaching the repository: bin/stackctl backups status shows the archiver's"
                    + " last failure, bin/stackctl logs db its cause";
        }
        // A wrong key decrypts the info files to noise, which pgBackRest reports as whatever the noise breaks first: a
        // format, crypto or checksum error while loading an info file that is there.
        if (output.contains("[043]")
                || output.contains("FormatError")
                || output.contains("CryptoError")
                || output.contains("ChecksumError")
                || output.contains("unable to load info file")
                || output.contains("cipher")
                || output.contains("decrypt")) {
            return "the repository was made with another BACKUP_CIPHER_PASS than compose/.env holds: put the key it"
                    + " was made with back in compose/.env and run bin/stackctl up";
        }
        if (output.contains("No space left") || output.contains("[039]")) {
            return "the repository's volume is full: free space on the host's Docker disk, or prune old backups";
        }
        return "check the db service's log (bin/stackctl logs db) and pgBackRest's in its container"
                + " (/var/log/pgbackrest)";
    }

    private static String lastLine(String output) {
        var lines = output.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
}
