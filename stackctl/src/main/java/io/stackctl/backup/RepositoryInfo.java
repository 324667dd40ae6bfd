package io.stackctl.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Json;
import io.stackctl.core.StackctlException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What pgBackRest's repositories hold for the stack's stanza, read from {@code pgbackrest info --output=json}: the
 * physical backups, oldest first, and the range of archived WAL a restore can replay. Repository 1 is the local
 * volume; repository 2, when compose/.env names one, the off-host object store. A backup is taken into each, so each
 * lists its own copy under the same label.
 *
 * @param status pgBackRest's own word on the stanza ("ok", "no valid backups", "missing stanza path", ...)
 * @param detail the repository's own message when it is not ok (why pgBackRest could not read it)
 * @param walMin the oldest archived WAL segment, empty when none is archived yet
 * @param walMax the newest archived WAL segment
 */
public record RepositoryInfo(
        String stanza,
        int statusCode,
        String status,
        String detail,
        String cipher,
        String walMin,
        String walMax,
        List<Backup> backups,
        List<Repository> repositories) {

    /** One of pgBackRest's repositories: 1 local, 2 off-host. */
    public record Repository(int key, int statusCode, String status, String detail, String walMin, String walMax) {

        public boolean readable() {
            return READABLE.contains(statusCode);
        }

        public String name() {
            return key == 1 ? "local" : "off-host (repo" + key + ")";
        }
    }

    /**
     * One physical backup.
     *
     * @param size the database's size when it was taken
     * @param storedSize what it takes in the repository (compressed, and only the changed files for diff and incr)
     * @param reference the backup it builds on directly (none for a full one)
     * @param repository the repository that holds this copy
     */
    public record Backup(
            int repository,
            String label,
            String type,
            Instant started,
            Instant stopped,
            long size,
            long storedSize,
            String walStart,
            String walStop,
            String reference,
            boolean error) {

        public double seconds() {
            return (stopped.toEpochMilli() - started.toEpochMilli()) / 1000.0;
        }
    }

    /** pgBackRest's codes for a stanza it reads: ok, no backup yet, a backup or expire running now. */
    static final List<Integer> READABLE = List.of(0, 2, 6);

    /**
     * Throws, with what to do, when pgBackRest could read no repository: {@code info} itself exits 0 then, with the
     * reason in the document (a wrong key reads as a damaged info file). One readable repository is enough to restore
     * from; {@link #unreadable()} names the others.
     */
    public RepositoryInfo requireReadable() {
        if (READABLE.contains(statusCode)) {
            return this;
        }
        if (repositories.stream().noneMatch(Repository::readable)) {
            throw PgBackRest.failed("pgbackrest info", "ERROR: " + status + ": " + detail);
        }
        return this;
    }

    /** This answer with one more repository, which could not be read, and why (an endpoint that does not answer). */
    public RepositoryInfo withUnreadable(int key, String why) {
        List<Repository> all = new ArrayList<>(repositories);
        all.add(new Repository(key, 99, why, why, "", ""));
        return new RepositoryInfo(
                stanza, statusCode, status, detail, cipher, walMin, walMax, backups, List.copyOf(all));
    }

    /** The repositories pgBackRest could not read, each with why. */
    public List<Repository> unreadable() {
        return repositories.stream().filter(r -> !r.readable()).toList();
    }

    /** The copies one repository holds, oldest first. */
    public List<Backup> backupsIn(int repository) {
        return backups.stream().filter(b -> b.repository() == repository).toList();
    }

    public boolean hasBackup() {
        return !backups.isEmpty();
    }

    /** What one repository's backups take in it. */
    public long storedSize(int repository) {
        return backupsIn(repository).stream().mapToLong(Backup::storedSize).sum();
    }

    public Backup newest() {
        return backups.get(backups.size() - 1);
    }

    /** Parses {@code pgbackrest --stanza=NAME info --output=json}, an array with one entry per stanza. */
    public static RepositoryInfo parse(String json, String stanza) {
        JsonNode root;
        try {
            // A wrong key's message quotes the noise it decrypted, raw control characters and all.
            root = Json.MAPPER
                    .reader()
                    .with(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
                    .readTree(json);
        } catch (Exception e) {
            throw unreadable(json);
        }
        JsonNode entry = null;
        for (JsonNode candidate : root) {
            if (stanza.equals(candidate.path("name").asText())) {
                entry = candidate;
            }
        }
        if (entry == null) {
            throw unreadable(json);
        }
        List<Backup> backups = new ArrayList<>();
        for (JsonNode b : entry.path("backup")) {
            backups.add(new Backup(
                    b.path("database").path("repo-key").asInt(1),
                    b.path("label").asText(),
                    b.path("type").asText(),
                    Instant.ofEpochSecond(b.path("timestamp").path("start").asLong()),
                    Instant.ofEpochSecond(b.path("timestamp").path("stop").asLong()),
                    b.path("info").path("size").asLong(),
                    b.path("info").path("repository").path("delta").asLong(),
                    b.path("archive").path("start").asText(""),
                    b.path("archive").path("stop").asText(""),
                    b.path("prior").isTextual() ? b.path("prior").asText() : "",
                    b.path("error").asBoolean(false)));
        }
        String min = "";
        String max = "";
        for (JsonNode archive : entry.path("archive")) {
            min = lower(min, archive.path("min").asText(""));
            if (archive.path("max").asText("").compareTo(max) > 0) {
                max = archive.path("max").asText("");
            }
        }
        String detail = "";
        List<Repository> repositories = new ArrayList<>();
        for (JsonNode repo : entry.path("repo")) {
            int key = repo.path("key").asInt(1);
            String message = repo.path("status").path("message").asText("");
            if (!READABLE.contains(repo.path("status").path("code").asInt())) {
                detail = message;
            }
            String repoMin = "";
            String repoMax = "";
            for (JsonNode archive : entry.path("archive")) {
                if (archive.path("database").path("repo-key").asInt(1) == key) {
                    repoMin = lower(repoMin, archive.path("min").asText(""));
                    repoMax = archive.path("max").asText("").compareTo(repoMax) > 0
                            ? archive.path("max").asText("")
                            : repoMax;
                }
            }
            repositories.add(new Repository(
                    key,
                    repo.path("status").path("code").asInt(),
                    message.lines().findFirst().orElse(""),
                    // The first line names the file; the error the noise caused follows on the next one.
                    String.join(" ", message.lines().limit(2).toList()),
                    repoMin,
                    repoMax));
        }
        return new RepositoryInfo(
                stanza,
                entry.path("status").path("code").asInt(),
                entry.path("status").path("message").asText(),
                // The first line names the file; the error the noise caused follows on the next one.
                String.join(" ", detail.lines().limit(2).toList()),
                entry.path("cipher").asText(""),
                min,
                max,
                List.copyOf(backups),
                List.copyOf(repositories));
    }

    private static String lower(String current, String candidate) {
        if (candidate.isEmpty()) {
            return current;
        }
        return current.isEmpty() || candidate.compareTo(current) < 0 ? candidate : current;
    }

    private static StackctlException unreadable(String json) {
        String shown = json.length() > 300 ? json.substring(0, 300) + "..." : json;
        return new StackctlException(
                ExitCodes.FAILED,
                "pgbackrest info answered something stackctl cannot read: " + shown.strip(),
                "check the db service's log (bin/stackctl logs db) and /var/log/pgbackrest in its container");
    }
}
