package io.stackctl.postgres;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.stack.Stack;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A PostgreSQL server running in a container, driven through {@code docker exec}: the client tools in the
 * server's own image always match its major version, and nothing has to be installed on the host.
 */
public final class PostgresContainer {

    static final String COUNTS_MARKER = "stackctl-counts: ";
    static final String VERSION_MARKER = "stackctl-server-version: ";
    static final String SCHEMA_MARKER = "stackctl-schema-version: ";
    private static final int CANCEL_ATTEMPTS = 10;

    /**
     * The Flyway version the schema is at (the app migrates it at start), or '' when Flyway never ran. The history
     * table may be absent, so its query is only parsed when it exists.
     */
    static final String SCHEMA_VERSION_SQL = """
            SELECT coalesce((xpath('/row/v/text()', query_to_xml(
              CASE WHEN to_regclass('public.flyway_schema_history') IS NULL THEN 'SELECT NULL::text AS v'
              ELSE 'SELECT version AS v FROM public.flyway_schema_history WHERE success AND version IS NOT NULL
                    ORDER BY installed_rank DESC LIMIT 1' END, false, true, '')))[1]::text, '')""";

    /** Rows per table as one JSON object, {@code {"schema.table": n}}, in the current snapshot. */
    static final String COUNTS_SQL = """
            SELECT coalesce(json_object_agg(t.name, t.rows ORDER BY t.name), '{}') FROM (
              SELECT format('%I.%I', table_schema, table_name) AS name,
                     (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I',
                         table_schema, table_name), false, true, '')))[1]::text::bigint AS rows
              FROM information_schema.tables
              WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')) t""";

    /**
     * Exports a snapshot from an open read-only transaction, counts rows in it, then dumps that very snapshot,
     * so the manifest's counts describe exactly the bytes on stdout.
     */
    static final String DUMP_SCRIPT = """
            set -euo pipefail
            db="$1"; user="$2"  # $3: COUNTS_SQL, $4: SCHEMA_VERSION_SQL
            coproc PSQL { psql -X -q -A -t -v ON_ERROR_STOP=1 -U "$user" -d "$db"; }
            echo "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT pg_export_snapshot();" >&"${PSQL[1]}"
            read -r -t 60 snapshot <&"${PSQL[0]}"
            printf '%s;\\n' "$3" >&"${PSQL[1]}"
            read -r -t 3600 counts <&"${PSQL[0]}"
            echo "stackctl-counts: $counts" >&2
            printf '%s;\\n' "$4" >&"${PSQL[1]}"
            read -r -t 60 schema <&"${PSQL[0]}" || schema=""
            echo "stackctl-schema-version: $schema" >&2
            echo "stackctl-server-version: $(psql -X -A -t -U "$user" -d "$db" -c 'SHOW server_version')" >&2
            pg_dump --format=custom --snapshot="$snapshot" -U "$user" -d "$db"
            echo "COMMIT;" >&"${PSQL[1]}"
            eval "exec ${PSQL[1]}>&-"
            wait
            """;

    /**
     * Restores in one transaction and checks the row counts inside it, so a failure or a count mismatch rolls
     * everything back and leaves the database as it was. The public schema is dropped and created again inside that
     * transaction, so the database ends up holding exactly the dump, whatever schema version it had before (a
     * {@code --clean} restore of an older dump fails on tables and keys the dump does not know). The schema and all in it
     * are made as the owner (the app's role), so the app can migrate them later and stackctl's role needs no more than
     * membership in it. pipefail catches a
     * pg_restore that dies half-way: the COMMIT is then never sent. The session carries an application name, so a
     * cancelled restore can be found and stopped.
     */
    static final String RESTORE_SCRIPT = """
            set -euo pipefail
            file="$1"; db="$2"; user="$3"; checks="$4"; name="$5"; owner="$6"
            {
              echo 'BEGIN;'
              echo 'DROP SCHEMA IF EXISTS public CASCADE;'
              printf 'CREATE SCHEMA public AUTHORIZATION "%s"; SET LOCAL ROLE "%s";\\n' "$owner" "$owner"
              pg_restore --file=- --no-owner --exit-on-error "$file"
              printf '%s\\n' "$checks"
              echo "COMMENT ON SCHEMA public IS 'stackctl restore $name';"
              echo 'COMMIT;'
            } | PGAPPNAME="$name" psql -X -q -v ON_ERROR_STOP=1 -U "$user" -d "$db"
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Engine engine;
    private final String containerId;
    private final String database;
    private final String user;
    private final String owner;

    /**
     * @param user the role stackctl acts as
     * @param owner the role that owns the restored schema and all in it; {@code user} must be a member of it
     */
    public PostgresContainer(Engine engine, String containerId, String database, String user, String owner) {
        this.engine = engine;
        this.containerId = containerId;
        this.database = database;
        this.user = user;
        this.owner = owner;
    }

    /** The stack's running db container, as stackctl's own role; exit 3 when it is not running. */
    public static PostgresContainer of(Stack stack) {
        var db = stack.requirePrimaryDb();
        return new PostgresContainer(
                stack.engine(), db.id(), Stack.DATABASE, Stack.OPERATIONS_USER, Stack.APP_DATABASE_USER);
    }

    public String database() {
        return database;
    }

    public record DumpResult(Map<String, Long> rowCounts, String serverVersion, String schemaVersion) {}

    /** Streams a custom-format dump of the database to {@code out}; throws when pg_dump fails. */
    public DumpResult dump(OutputStream out, Duration timeout) {
        var stderr = new StringBuilder();
        long exit = engine.execStreaming(
                containerId,
                out,
                stderr,
                timeout,
                "bash",
                "-c",
                DUMP_SCRIPT,
                "dump",
                database,
                user,
                COUNTS_SQL,
                SCHEMA_VERSION_SQL);
        if (exit != 0) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "pg_dump of database " + database + " failed (exit " + exit + "): " + lastLines(stderr.toString()),
                    checkTheDatabase(stderr.toString()));
        }
        return new DumpResult(
                parseCounts(stderr.toString()),
                marker(stderr.toString(), VERSION_MARKER),
                marker(stderr.toString(), SCHEMA_MARKER));
    }

    /** Copies a host file into a fresh directory of the container and returns its path there. */
    public String stage(Path file) {
        String dir = "/tmp/stackctl-" + UUID.randomUUID();
        run(Duration.ofSeconds(30), "mkdir", "-p", dir);
        engine.copyToContainer(containerId, file, dir);
        return dir + "/" + file.getFileName();
    }

    public void unstage(String containerPath) {
        String dir = containerPath.substring(0, containerPath.lastIndexOf('/'));
        if (dir.startsWith("/tmp/stackctl-")) {
            engine.exec(containerId, Duration.ofSeconds(30), "rm", "-rf", dir);
        }
    }

    /** The archive's table of contents ({@code pg_restore --list}); a damaged header is exit 1. */
    public List<String> tableOfContents(String containerPath) {
        var result = engine.exec(containerId, Duration.ofMinutes(5), "pg_restore", "--list", containerPath);
        if (result.exitCode() != 0) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    "pg_restore cannot read the archive: " + lastLines(result.output()),
                    "the dump is damaged; use another backup (bin/stackctl backups list)");
        }
        return result.output().lines().filter(line -> !line.startsWith(";")).toList();
    }

    /** Tables whose data the archive lacks, of those the counts name. */
    public static List<String> tablesMissingData(List<String> tableOfContents, Map<String, Long> rowCounts) {
        List<String> missing = new ArrayList<>();
        for (String table : rowCounts.keySet()) {
            var name = splitName(table);
            String entry = " TABLE DATA " + name[0] + " " + name[1] + " ";
            if (tableOfContents.stream().noneMatch(line -> line.contains(entry))) {
                missing.add(table);
            }
        }
        return missing;
    }

    /**
     * Restores the staged archive into {@code targetDatabase} in one transaction that checks {@code expected}. When it
     * does not finish within {@code timeout}, or the thread is interrupted, its session is terminated inside the
     * server, which rolls the transaction back: nothing is left running and the database is unchanged.
     */
    public void restore(String containerPath, String targetDatabase, Map<String, Long> expected, Duration timeout) {
        restore(containerPath, targetDatabase, expected, timeout, newSession());
    }

    /** A name for one restore: its PostgreSQL application name, and the label its transaction leaves when it commits. */
    public static String newSession() {
        return "stackctl-restore-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Whether the restore named {@code session} committed: its transaction labels the public schema as its last
     * statement, so the label is there if and only if it committed (a later restore or dump replaces it).
     */
    public boolean committed(String inDatabase, String session) {
        return psql(inDatabase, "SELECT obj_description('public'::regnamespace, 'pg_namespace')")
                .strip()
                .equals("stackctl restore " + session);
    }

    /** As {@link #restore(String, String, Map, Duration)}, under a session the caller named (and journaled). */
    public void restore(
            String containerPath, String targetDatabase, Map<String, Long> expected, Duration timeout, String session) {
        // Ctrl-C ends stackctl, not the exec inside the container: the restore is stopped on the way out.
        Thread onExit = new Thread(() -> cancel(session), "cancel-" + session);
        Runtime.getRuntime().addShutdownHook(onExit);
        Engine.ExecResult result;
        try {
            result = engine.exec(
                    containerId,
                    timeout,
                    "bash",
                    "-c",
                    RESTORE_SCRIPT,
                    "restore",
                    containerPath,
                    targetDatabase,
                    user,
                    countCheckSql(expected),
                    session,
                    owner);
            removeHook(onExit);
        } catch (StackctlException e) {
            removeHook(onExit);
            cancel(session);
            if (committed(targetDatabase, session)) {
                // The timeout raced the COMMIT and lost: the restore is in, with its counts checked inside it.
                return;
            }
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "the restore into " + targetDatabase + " was stopped (" + e.getMessage()
                            + ") and rolled back inside PostgreSQL; the database is unchanged",
                    "give it more time with --timeout (a restore takes about 8 s per million tasks), then try again");
        }
        if (result.exitCode() != 0) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    "restore into " + targetDatabase + " failed and was rolled back: " + lastLines(result.output()),
                    "the database is unchanged; check the dump with: bin/stackctl backups verify FILE");
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down already: the hook runs and cancels
        }
    }

    /**
     * Stops a restore by its session name: terminating its backend aborts its transaction (nothing of it stays), and
     * the pg_restore feeding it ends on the broken pipe. Safe to call when it has already finished.
     */
    public void cancel(String session) {
        // psql connects as soon as the restore starts; should it not have yet, the next tries catch it.
        for (int attempt = 0; attempt < CANCEL_ATTEMPTS; attempt++) {
            var result = engine.exec(
                    containerId,
                    Duration.ofSeconds(30),
                    "psql",
                    "-X",
                    "-q",
                    "-A",
                    "-t",
                    "-U",
                    user,
                    "-d",
                    "postgres",
                    "-c",
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '"
                            + session.replace("'", "") + "'");
            if (result.exitCode() == 0 && !result.output().strip().equals("0")) {
                return;
            }
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The Flyway version of a database's schema right now ('' without Flyway). */
    public String schemaVersion(String inDatabase) {
        return psql(inDatabase, SCHEMA_VERSION_SQL).strip();
    }

    /** Rows per table right now. */
    public Map<String, Long> rowCounts(String inDatabase) {
        return parseCountsJson(psql(inDatabase, COUNTS_SQL).strip());
    }

    public void createDatabase(String name) {
        psql("postgres", "CREATE DATABASE " + quote(name));
    }

    public void dropDatabase(String name) {
        psql("postgres", "DROP DATABASE IF EXISTS " + quote(name) + " WITH (FORCE)");
    }

    /** Runs one SQL statement and returns its unaligned, tuples-only output. */
    public String psql(String inDatabase, String sql) {
        var result = engine.exec(
                containerId,
                Duration.ofMinutes(10),
                "psql",
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-U",
                user,
                "-d",
                inDatabase,
                "-c",
                sql);
        if (result.exitCode() != 0) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "psql failed in database " + inDatabase + ": " + lastLines(result.output()),
                    checkTheDatabase(result.output()));
        }
        return result.output();
    }

    private void run(Duration timeout, String... command) {
        var result = engine.exec(containerId, timeout, command);
        if (result.exitCode() != 0) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    String.join(" ", command) + " failed in the db container: " + lastLines(result.output()),
                    "check the container with: bin/stackctl logs db");
        }
    }

    /** A DO block that raises (and so aborts the restore's transaction) unless every table has its count. */
    static String countCheckSql(Map<String, Long> expected) {
        var sql = new StringBuilder("DO $stackctl$\nDECLARE n bigint;\nBEGIN\n");
        expected.forEach((table, rows) -> {
            var name = splitName(table);
            String qualified = quote(name[0]) + "." + quote(name[1]);
            sql.append("  SELECT count(*) INTO n FROM ").append(qualified).append(";\n");
            sql.append("  IF n <> ")
                    .append(rows)
                    .append(" THEN RAISE EXCEPTION 'row count check failed: %.% has % rows, the manifest says ")
                    .append(rows)
                    .append("', ")
                    .append(literal(name[0]))
                    .append(", ")
                    .append(literal(name[1]))
                    .append(", n; END IF;\n");
        });
        return sql.append("END\n$stackctl$;").toString();
    }

    static Map<String, Long> parseCounts(String stderr) {
        return parseCountsJson(marker(stderr, COUNTS_MARKER));
    }

    private static Map<String, Long> parseCountsJson(String json) {
        try {
            return new LinkedHashMap<>(JSON.readValue(json, new TypeReference<Map<String, Long>>() {}));
        } catch (Exception e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "could not read the row counts from the database: '" + json + "'",
                    "run again with -v; if it repeats, check the database with: bin/stackctl logs db");
        }
    }

    private static String marker(String stderr, String marker) {
        return stderr.lines()
                .filter(line -> line.startsWith(marker))
                .map(line -> line.substring(marker.length()).strip())
                .findFirst()
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.FAILED,
                        "the dump script did not report '" + marker.strip() + "': " + lastLines(stderr),
                        "check the database with: bin/stackctl logs db"));
    }

    /** {@code schema.table} as {@code format('%I.%I')} writes it: each part bare or double-quoted. */
    static String[] splitName(String table) {
        List<String> parts = new ArrayList<>();
        int pos = 0;
        boolean valid = true;
        while (valid) {
            var part = new StringBuilder();
            if (pos < table.length() && table.charAt(pos) == '"') {
                pos++;
                boolean closed = false;
                while (pos < table.length() && !closed) {
                    if (table.startsWith("\"\"", pos)) {
                        part.append('"');
                        pos += 2;
                    } else if (table.charAt(pos) == '"') {
                        closed = true;
                        pos++;
                    } else {
                        part.append(table.charAt(pos++));
                    }
                }
                valid = closed;
            } else {
                while (pos < table.length() && table.charAt(pos) != '.' && table.charAt(pos) != '"') {
                    part.append(table.charAt(pos++));
                }
            }
            valid &= part.length() > 0;
            parts.add(part.toString());
            if (pos == table.length()) {
                break;
            }
            valid &= table.charAt(pos++) == '.';
        }
        if (!valid || parts.size() != 2) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    "the manifest names a table as '" + table + "', expected schema.table",
                    "the manifest was edited or damaged; use another backup");
        }
        return new String[] {parts.get(0), parts.get(1)};
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /** What to do after a failure whose output is {@code output}: a database from before stackctl's role needs an up. */
    String checkTheDatabase(String output) {
        return output.contains("role \"" + user + "\" does not exist")
                ? "the database has no role " + user + " yet (its db service predates it): run bin/stackctl up, whose"
                        + " db health check makes the roles"
                : "check the database with: bin/stackctl logs db";
    }

    static String lastLines(String text) {
        var lines = text.strip()
                .lines()
                .filter(l ->
                        !l.startsWith(COUNTS_MARKER) && !l.startsWith(VERSION_MARKER) && !l.startsWith(SCHEMA_MARKER))
                .toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }
}
