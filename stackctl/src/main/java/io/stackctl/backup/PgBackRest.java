package io.stackctl.backup;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

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

    /** How long the off-host repository's endpoint may take to accept a connection before it counts as down. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private static final List<String> AS_POSTGRES =
            List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "pgbackrest");

    /** How long a push of one file may take, S3 included. */
    static final Duration PUSH_TIMEOUT = Duration.ofSeconds(30);

    /** How long {@link #ensureStanza} tries: the db service's health check makes it within seconds of a start. */
    static final Duration STANZA_WITHIN = Duration.ofSeconds(60);

    private final Engine engine;
    private final String containerId;

    public PgBackRest(Engine engine, String containerId) {
        this.engine = engine;
        this.containerId = containerId;
    }

    /** A backup taken into one repository, and what pgBackRest said on the way (a diff with no full becomes full). */
    public record Taken(RepositoryInfo.Backup backup, List<String> warnings) {}

    /**
     * Takes a backup of {@code type} into each repository, the local one first: a checkpoint, the data files copied
     * while the database serves, then the WAL that makes them consistent is archived before pgBackRest reports
     * success, so each copy restores on its own. Throws on the first repository that fails, naming the copies already
     * taken (they stay: each is whole).
     */
    public List<Taken> backup(Type type, Duration timeout) {
        var before = info();
        // pgBackRest archives each WAL segment into every repository, and a backup waits for its last segment: with
        // one repository down no backup can finish, so none starts.
        for (var repository : before.unreadable()) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "no backup taken: the " + repository.name() + " repository cannot be read (" + repository.detail()
                            + "), and PostgreSQL's WAL archive waits on it too, so a backup could not finish",
                    hint(repository.detail()) + "; or remove the BACKUP_S3_* lines from compose/.env and run"
                            + " bin/stackctl up to go on with the local repository alone");
        }
        // Each copy is named by pgBackRest's own "new backup label" line and described by one read of the
        // repositories once all are taken: a read after each would cost every backup a second per repository.
        Map<Integer, String> labels = new LinkedHashMap<>();
        Map<Integer, List<String>> warnings = new LinkedHashMap<>();
        for (var repository : before.repositories()) {
            var result = run(
                    timeout,
                    "--stanza=" + STANZA,
                    "--repo=" + repository.key(),
                    "--type=" + type.option(),
                    "--log-level-console=info",
                    "backup");
            if (result.exitCode() != 0) {
                var failure = failed(
                        "pgbackrest backup --type=" + type.option() + " into the " + repository.name() + " repository",
                        result.output());
                if (repository.key() == 1 && result.output().contains("unable to write")) {
                    failure = withFreeSpace(failure);
                }
                if (repository.key() > 1 && failure.hint().contains("BACKUP_CIPHER_PASS")) {
                    failure = new StackctlException(
                            failure.exitCode(),
                            failure.getMessage(),
                            "the off-host repository holds one made with another key (another stack's, or this one's"
                                    + " before its compose/.env was lost): put that key back in compose/.env, or point"
                                    + " BACKUP_S3_PATH at an empty place in the bucket, then run bin/stackctl up");
                }
                if (labels.isEmpty()) {
                    throw failure;
                }
                throw new StackctlException(
                        failure.exitCode(),
                        failure.getMessage() + " (the "
                                + labels.values().iterator().next()
                                + " copy in the local repository is whole and stays)",
                        failure.hint());
            }
            labels.put(repository.key(), newLabel(result.output(), repository));
            warnings.put(
                    repository.key(),
                    result.output()
                            .lines()
                            .filter(line -> line.contains("WARN:"))
                            .map(line ->
                                    line.substring(line.indexOf("WARN:") + 5).strip())
                            .toList());
        }
        var after = info();
        List<Taken> taken = new ArrayList<>();
        labels.forEach((key, label) -> taken.add(new Taken(
                after.backupsIn(key).stream()
                        .filter(b -> b.label().equals(label))
                        .findFirst()
                        .orElseThrow(() -> new StackctlException(
                                ExitCodes.FAILED,
                                "pgbackrest backup made " + label + " but repo" + key + " does not list it",
                                "check the repository with: docker exec <db container> pgbackrest info")),
                warnings.get(key))));
        return taken;
    }

    /** Below this much free space, a write that failed in the local repository is put down to a full disk. */
    static final long NEARLY_FULL_BYTES = 64L * 1024 * 1024;

    /**
     * pgBackRest reports a write that failed in its worker as "unable to write ... [FileWriteError]", without the
     * cause: the free space of the disk under the local repository, measured now, tells a full disk from the rest.
     */
    private StackctlException withFreeSpace(StackctlException failure) {
        var df = engine.exec(containerId, Duration.ofSeconds(10), "df", "-Pk", REPOSITORY + "/backup");
        var fields = df.output()
                .strip()
                .lines()
                .reduce((first, second) -> second)
                .orElse("")
                .split("\\s+");
        if (df.exitCode() != 0 || fields.length < 4 || !fields[3].matches("[0-9]+") || !fields[1].matches("[0-9]+")) {
            return failure;
        }
        long free = Long.parseLong(fields[3]) * 1024;
        long size = Long.parseLong(fields[1]) * 1024;
        String measured = "; the disk under " + REPOSITORY + " has " + mebibytes(free) + " free of " + mebibytes(size);
        return new StackctlException(
                failure.exitCode(),
                failure.getMessage() + measured,
                free < NEARLY_FULL_BYTES ? hint("No space left on device") : failure.hint());
    }

    private static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }

    private static final Pattern NEW_LABEL = Pattern.compile("new backup label = (\\S+)");

    private static String newLabel(String output, RepositoryInfo.Repository repository) {
        var matcher = NEW_LABEL.matcher(output);
        if (!matcher.find()) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "pgbackrest backup into the " + repository.name() + " repository exited 0 but named no new backup",
                    "check the repository with: docker exec <db container> pgbackrest info");
        }
        return matcher.group(1);
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

    /**
     * Pushes one file of PostgreSQL's pg_wal into every repository at once, past the asynchronous queue: PostgreSQL's
     * archiver pushes it again later, which pgBackRest accepts for the same file. True when every repository has it;
     * false (with nothing changed) when one refused it, say one that is down.
     */
    public boolean pushNow(String walFile) {
        List<String> command = new ArrayList<>(
                List.of("bash", "-c", "exec \"${@:2}\" archive-push \"$PGDATA/pg_wal/$1\"", "push", walFile));
        command.addAll(AS_POSTGRES);
        command.addAll(List.of("--stanza=" + STANZA, "--archive-async=n", "--log-level-console=warn"));
        return engine.exec(containerId, PUSH_TIMEOUT, command.toArray(String[]::new))
                        .exitCode()
                == 0;
    }

    /**
     * Makes the stanza in a repository that lacks it, as the db service's health check does: after a restore from the
     * off-host repository onto a lost disk, the new local one is empty, and the check below would wait on it in vain.
     */
    public void ensureStanza() {
        // Tried again until the local repository has it: the script never fails (a health check runs it too), and one
        // try can fail, on a PostgreSQL still finishing its promotion or on the health check's stanza-create holding
        // the lock (CI once went on without it, and the check after the restore failed on the missing archive.info).
        Pause.until(STANZA_WITHIN, Duration.ofSeconds(1), () -> {
            engine.exec(containerId, Duration.ofMinutes(2), "bash", "/stack/db/ensure-stanza.sh");
            return engine.exec(
                                    containerId,
                                    Duration.ofSeconds(10),
                                    "test",
                                    "-s",
                                    REPOSITORY + "/archive/" + STANZA + "/archive.info")
                            .exitCode()
                    == 0;
        });
    }

    /**
     * What the repositories hold for the stanza. An off-host repository whose endpoint takes no TCP connection within
     * {@link #CONNECT_TIMEOUT} (tried from the db container itself) is left out of pgBackRest's own call, which would
     * retry it for minutes, and listed as unreadable, with why. Probe and read are one exec: this runs before and
     * after every backup.
     */
    public RepositoryInfo info() {
        List<String> command = new ArrayList<>(List.of(
                "bash",
                "-c",
                "reason=$(" + OFFSITE_PROBE + ") && exec \"$@\" --output=json info;" + " echo \"" + UNREACHABLE
                        + "$reason\"; exec \"$@\" --repo=1 --output=json info",
                "info"));
        command.addAll(AS_POSTGRES);
        command.add("--stanza=" + STANZA);
        var result =
                engine.exec(containerId, Duration.ofMinutes(2).plus(CONNECT_TIMEOUT), command.toArray(String[]::new));
        var unreachable = result.output()
                .lines()
                .filter(line -> line.startsWith(UNREACHABLE))
                .map(line -> "unreachable: " + line.substring(UNREACHABLE.length()))
                .findFirst();
        var info = infoOf(result);
        return unreachable.map(why -> info.withUnreadable(2, why)).orElse(info);
    }

    private static final String UNREACHABLE = "stackctl-offsite-unreachable: ";

    /**
     * Prints why the off-host repository's endpoint (BACKUP_S3_ENDPOINT in the db container) takes no TCP connection
     * within {@link #CONNECT_TIMEOUT} and fails; succeeds silently when it does, or when there is no off-host one.
     */
    private static final String OFFSITE_PROBE =
            "[ -n \"${BACKUP_S3_BUCKET:-}\" ] || exit 0; h=${BACKUP_S3_ENDPOINT%%:*};"
                    + " p=${BACKUP_S3_ENDPOINT#\"$h\"}; p=${p#:}; err=$(timeout " + CONNECT_TIMEOUT.toSeconds()
                    + " bash -c \"exec 3<>/dev/tcp/$h/${p:-443}\" 2>&1) && exit 0;"
                    + " echo \"no connection to $h:${p:-443} within " + CONNECT_TIMEOUT.toSeconds()
                    + " s${err:+ (${err##*: })}\"; exit 1";

    /**
     * What the repository holds, read by a one-off container of the stopped db container's image and volumes: with the
     * database down (its volume lost) there is no container to exec into. {@code network} is the one that reaches
     * the off-host repository ({@link io.stackctl.stack.Stack#repositoryNetwork()}).
     */
    public RepositoryInfo infoFromStopped(String name, String network) {
        return infoOf(engine.runBeside(
                containerId, name, Duration.ofMinutes(2), network, "bash", "/stack/db/pitr.sh", "info"));
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
        return new StackctlException(ExitCodes.FAILED, what + " failed: " + error(output), hint(output));
    }

    /** pgBackRest's first error with the indented lines that go on with it (the cause: "[28] No space left ..."). */
    static String error(String output) {
        var lines = output.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.contains("ERROR:")) {
                var error =
                        new StringBuilder(line.substring(line.indexOf("ERROR:")).strip());
                for (int j = i + 1; j < lines.size() && lines.get(j).startsWith(" "); j++) {
                    error.append(' ').append(lines.get(j).strip());
                }
                return error.toString();
            }
        }
        return output.strip().isEmpty() ? "no output" : lastLine(output);
    }

    public static String hint(String output) {
        if (output.contains("executable file not found") || output.contains("pgbackrest: not found")) {
            return "the db image has no pgBackRest: run bin/stackctl up, which builds it (compose/images/db) and"
                    + " recreates the db service";
        }
        // Before the key's checks: a write that fails half-way can leave a file the next read finds broken.
        if (output.contains("No space left")) {
            return "the disk under the repository is full (the local one is the db-backup volume, on the host's"
                    + " Docker disk): free space there, or keep fewer days of backups (BACKUP_RETENTION_DAYS in"
                    + " compose/.env, then bin/stackctl up); the database was not touched, and the next backup cleans"
                    + " up the one that failed";
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
        if (output.contains("unable to acquire lock") || output.contains("[050]")) {
            return "another backup of this stack is running (the stack's schedule, see bin/stackctl backups status, or"
                    + " another stackctl): wait for it to end and try again";
        }
        // The off-host repository's faults come before the key's: a TLS failure is a CryptoError too.
        if (output.contains("HostConnectError")
                || output.contains("unreachable: ")
                || output.contains("unable to get address")
                || output.contains("timeout after")
                || output.contains("unable to connect")) {
            return "the off-host repository cannot be reached: check BACKUP_S3_ENDPOINT in compose/.env (host[:port]),"
                    + " that the store serves there, and that the host lets the db container out to it";
        }
        if (output.contains("certificate") || output.contains("[095]")) {
            return "the off-host repository's TLS certificate is not trusted: set BACKUP_S3_CA_FILE in compose/.env"
                    + " to the CA that signed it (PEM), then run bin/stackctl up";
        }
        if (output.contains("InvalidAccessKeyId")
                || output.contains("SignatureDoesNotMatch")
                || output.contains("AccessDenied")
                || output.contains("[403]")) {
            return "the object store refuses the credentials: check BACKUP_S3_KEY and BACKUP_S3_KEY_SECRET in"
                    + " compose/.env (a key that may read and write the bucket), then run bin/stackctl up";
        }
        if (output.contains("NoSuchBucket") || output.contains("[404]")) {
            return "the bucket BACKUP_S3_BUCKET names does not exist in the object store: create it there, or fix the"
                    + " name in compose/.env, then run bin/stackctl up";
        }
        if (output.contains("not owned by current user")) {
            return "the data directory is not PostgreSQL's (a new filesystem's root belongs to root): give it to the"
                    + " postgres user (compose/db/pitr.sh does so before a restore; an image from before it does not),"
                    + " then run bin/stackctl up";
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
        return "check the db service's log (bin/stackctl logs db) and pgBackRest's in its container"
                + " (/var/log/pgbackrest)";
    }

    private static String lastLine(String output) {
        var lines = output.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
}
