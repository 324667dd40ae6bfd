package io.stackctl.backup;

import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.PrimaryRecord;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The backup schedule, run by the stack's agent on a thread of its own (a backup takes minutes, the agent's upstream
 * rounds a few milliseconds): physical backups into every repository and proofs of every repository, as
 * {@link BackupSchedule} says, through the engine like {@code stackctl backup} and {@code backups prove}. What each
 * run did is printed to the agent's log and kept in compose/state/&lt;project&gt;.schedule.json, which
 * {@code backups status} shows. A job that fails is logged and tried again when it is next due.
 */
public final class ScheduledBackups {

    /** The longest a scheduled backup or proof may take. */
    static final Duration JOB_TIMEOUT = Duration.ofHours(2);
    /** How often the schedule is looked at when nothing falls due sooner. */
    static final Duration IDLE = Duration.ofSeconds(30);

    /** One run of a job. */
    public record Run(String job, Instant at, boolean ok, String detail, double seconds) {}

    /**
     * The last run of each job, and when the schedule was last looked at: an agent that starts again (a new
     * schedule, a restart, a host that was down) runs once what fell due since then.
     */
    public record Runs(Map<String, Run> last, Instant checked) {

        public Runs {
            last = last == null ? Map.of() : last;
        }
    }

    /** Missed jobs older than this are not made up for: a stack down for weeks starts its schedule afresh. */
    static final Duration CATCH_UP = Duration.ofDays(7);

    private final Engine engine;
    private final String project;
    private final BackupSchedule schedule;
    private final Path hostComposeDir;
    private final Path stateDir;
    private final String network;
    private final PrintStream log;
    private final Clock clock;

    /**
     * @param hostComposeDir the stack's compose folder on the engine's host (proofs mount files from it)
     * @param stateDir compose/state as this process sees it
     * @param network the network that reaches the repositories ({@link Stack#repositoryNetwork()})
     */
    public ScheduledBackups(
            Engine engine,
            String project,
            BackupSchedule schedule,
            Path hostComposeDir,
            Path stateDir,
            String network,
            PrintStream log,
            Clock clock) {
        this.engine = engine;
        this.project = project;
        this.schedule = schedule;
        this.hostComposeDir = hostComposeDir;
        this.stateDir = stateDir;
        this.network = network;
        this.log = log;
        this.clock = clock;
    }

    /** Starts the schedule on a daemon thread; jobs fall due from now on (none runs for a time before the start). */
    public Thread start() {
        Thread thread = new Thread(this::loop, "backup-schedule");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void loop() {
        for (var job : BackupSchedule.Job.values()) {
            log(
                    "%s: '%s', next %s",
                    job.label(),
                    schedule.expression(job),
                    schedule.next(job, now()).map(ZonedDateTime::toString).orElse("never (off)"));
        }
        ZonedDateTime checked = Optional.ofNullable(history(stateDir, project).checked())
                .map(at -> ZonedDateTime.ofInstant(at, ZoneOffset.UTC))
                .filter(at -> at.isAfter(now().minus(CATCH_UP)) && !at.isAfter(now()))
                .orElse(now());
        while (!Thread.currentThread().isInterrupted()) {
            ZonedDateTime current = now();
            for (var job : schedule.due(checked, current)) {
                runOnce(job);
            }
            checked = current;
            recordChecked(current.toInstant());
            Duration sleep = IDLE;
            for (var job : BackupSchedule.Job.values()) {
                var next = schedule.next(job, now());
                if (next.isPresent()) {
                    Duration until = Duration.between(now(), next.get());
                    sleep = until.compareTo(sleep) < 0 ? until : sleep;
                }
            }
            try {
                Thread.sleep(Math.max(200, sleep.toMillis() + 50));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Runs one job now and records it; never throws. */
    Run runOnce(BackupSchedule.Job job) {
        long start = System.nanoTime();
        Run run;
        try {
            String detail = switch (job) {
                case FULL -> backup(PgBackRest.Type.FULL);
                case INCR -> backup(PgBackRest.Type.INCR);
                case PROVE -> prove();
            };
            run = new Run(job.label(), clock.instant(), !detail.startsWith("FAILED"), detail, seconds(start));
        } catch (StackctlException | UncheckedIOException e) {
            run = new Run(job.label(), clock.instant(), false, e.getMessage(), seconds(start));
        }
        log("%s %s in %.1fs: %s", job.label(), run.ok() ? "done" : "FAILED", run.seconds(), run.detail());
        record(run);
        return run;
    }

    private String backup(PgBackRest.Type type) {
        var copies = new PgBackRest(engine, database()).backup(type, JOB_TIMEOUT);
        var text = new StringBuilder();
        for (var copy : copies) {
            var b = copy.backup();
            text.append(text.isEmpty() ? "" : "; ")
                    .append("%s (%s) in repo%d".formatted(b.label(), b.type(), b.repository()));
        }
        return text.toString();
    }

    private String prove() {
        String db = database();
        var proof = new RestoreProof(new RestoreProof.Site(engine, project, db, network, hostComposeDir, stateDir));
        var text = new StringBuilder();
        boolean failed = false;
        for (var repository : proof.repositories()) {
            var result = proof.prove(repository.key(), Optional.empty(), JOB_TIMEOUT, RandomGenerator.getDefault());
            failed |= !result.passed();
            text.append(text.isEmpty() ? "" : "; ")
                    .append(
                            result.passed()
                                    ? "repo%d proven to %s (answering in %.1fs)"
                                            .formatted(result.repository(), result.target(), result.readySeconds())
                                    : "repo%d FAILED: %s".formatted(result.repository(), result.failure()));
        }
        return (failed ? "FAILED: " : "") + text;
    }

    /** The primary db node's container: backups follow a failover (compose/state/db/primary). */
    private String database() {
        String primary = new PrimaryRecord(stateDir).primary();
        return engine.containers(project, primary).stream()
                .filter(ServiceContainer::running)
                .map(ServiceContainer::id)
                .findFirst()
                .orElseThrow(() -> new StackctlException(
                        io.stackctl.core.ExitCodes.PRECONDITION,
                        "the primary db node " + primary + " of " + project + " is not running",
                        "the job runs again when next due; bin/stackctl up starts the db"));
    }

    /** The last run of each job, as the agent recorded them. */
    public static Runs history(Path stateDir, String project) {
        return file(stateDir, project).readOr(new Runs(Map.of(), null));
    }

    private void record(Run run) {
        var runs = history(stateDir, project);
        Map<String, Run> last = new LinkedHashMap<>(runs.last());
        last.put(run.job(), run);
        write(new Runs(last, runs.checked()));
    }

    private void recordChecked(Instant at) {
        var runs = history(stateDir, project);
        write(new Runs(runs.last(), at));
    }

    private void write(Runs runs) {
        try {
            file(stateDir, project).write(runs);
        } catch (UncheckedIOException e) {
            log("cannot record in %s: %s", stateDir, e.getMessage());
        }
    }

    private static JournalFile<Runs> file(Path stateDir, String project) {
        return new JournalFile<>(stateDir.resolve(project + ".schedule.json"), Runs.class);
    }

    private ZonedDateTime now() {
        return ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private void log(String format, Object... args) {
        log.printf("%s backup-schedule: %s%n", clock.instant(), format.formatted(args));
        log.flush();
    }
}
