package io.stackctl.drill;

import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.fault.DiskFill;
import io.stackctl.fault.NetworkFaults;
import io.stackctl.postgres.PostgresContainer;
import io.stackctl.stack.Stack;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The primary's data volume fills: writes must be refused with a clear 503, cached reads keep working, nothing
 * acknowledged is lost, and writes succeed again by themselves once the space returns. PostgreSQL answers a file that
 * cannot grow with an error (the write is refused), but WAL that cannot grow with a PANIC: it stops, and starts again
 * only once there is room (compose/db/start.sh waits for it). Which of the two a run meets depends on whether a new WAL
 * segment was due while the disk was full; the hypotheses hold for both, and the drill says which it was.
 */
public final class DiskFullDrill implements Drill {

    /** The db image's PGDATA: the data volume's mount point. */
    static final String DATA_DIR = "/var/lib/postgresql/data";

    static final long WRITES_BACK_WITHIN_MS = 10_000;
    static final String NO_SPACE = "No space left on device";
    /** Temporary (never WAL-logged, never kept): needs the disk to grow without touching the task tables or WAL. */
    static final String PROBE = "CREATE TEMP TABLE stackctl_disk_full_probe AS"
            + " SELECT repeat('x', 1000) AS filler FROM generate_series(1, 4000)";

    private static final DateTimeFormatter LOG_STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private DiskFill.Fill fill;

    @Override
    public String name() {
        return "disk-full";
    }

    @Override
    public Outcome inject(DrillContext context) {
        Stack stack = context.stack();
        ServiceContainer db = stack.requirePrimaryDb();
        new NetworkFaults(stack).ensureImage();
        var disk = new DiskFill(stack);
        for (String left : disk.sweep()) {
            context.say("%s (left by an interrupted drill)", left);
        }
        int holdSeconds = (int) Math.max(3, context.duration().toSeconds());
        long faultAt = context.load().now();
        Instant faultWall = Instant.now();
        fill = disk.fill(db, DATA_DIR, Duration.ofSeconds(holdSeconds * 2L + 120));
        long fullAt = context.load().now();
        context.say("%s full in %d ms: %s", db.name(), fullAt - faultAt, fill.applied());
        String probe = probe(stack);
        context.say("PostgreSQL asked to grow a file: %s", probe);
        DrillContext.pause(Duration.ofSeconds(holdSeconds));
        long freedAt = context.load().now();
        String[] helperSaid = fill.heal().split("\n");
        String freed = helperSaid[helperSaid.length - 1];
        context.say("space back after %d ms: %s", freedAt - faultAt, freed);
        DrillContext.await(Duration.ofSeconds(60), () -> DbRestartDrill.accepting(stack, db.id()));
        long acceptingAt = context.load().now();
        DrillContext.await(
                Duration.ofMillis(WRITES_BACK_WITHIN_MS + 10_000),
                () -> DbRestartDrill.settled(context.load(), freedAt));
        long recoveredAt = context.load().now();
        String log = linesSince(stack.engine().logTail(db.id(), 1000), faultWall.minusSeconds(1));
        boolean panicked = log.contains("PANIC:") && log.contains(NO_SPACE);
        context.say(
                panicked
                        ? "PostgreSQL stopped (PANIC: its WAL could not grow) and took connections again %d ms after"
                                + " the space returned"
                        : "PostgreSQL kept running (its WAL never needed to grow); connections %d ms after the space"
                                + " returned",
                acceptingAt - freedAt);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("full_ms", freedAt - faultAt);
        figures.put("postgres_panicked", panicked);
        figures.put("accepting_after_free_ms", acceptingAt - freedAt);
        boolean proven = probe.contains(NO_SPACE) || log.contains(NO_SPACE);
        // after a PANIC the probe may have met a PostgreSQL that was down: its own log then says why
        String proof = probe.contains(NO_SPACE)
                ? probe
                : log.lines()
                        .filter(line -> line.contains(NO_SPACE))
                        .findFirst()
                        .map(line -> "PostgreSQL's log: " + line)
                        .orElse(probe);
        return new Outcome(faultAt, recoveredAt, figures, samples -> {
            var full = Verdicts.between(samples, fullAt, freedAt);
            var troubled = Verdicts.between(samples, faultAt, recoveredAt);
            long failed = Verdicts.count(troubled, Sample::failed);
            long not503 = Verdicts.count(troubled, s -> s.failed() && s.status() != 503);
            long refusedForSpace = Verdicts.count(
                    full,
                    s -> s.kind().equals("create")
                            && s.status() == 503
                            && s.detail().contains("disk is full"));
            long reads = Verdicts.count(full, s -> s.kind().equals("read"));
            long failedReads = Verdicts.count(full, s -> s.kind().equals("read") && s.failed());
            long lastFailure = Verdicts.between(samples, freedAt, Long.MAX_VALUE).stream()
                    .filter(Sample::failed)
                    .mapToLong(s -> s.startMs() - freedAt)
                    .max()
                    .orElse(0);
            figures.put("writes_refused_for_space", refusedForSpace);
            figures.put("succeeding_again_ms", lastFailure);
            return List.of(
                    Hypothesis.check(
                            "the disk was full: PostgreSQL could not grow a file (" + NO_SPACE + ")",
                            proven,
                            abbreviate(proof)),
                    Hypothesis.check(
                            "every refused request answered 503 with a reason, none 500 or unanswered",
                            not503 == 0,
                            failed + " failed (" + not503 + " not 503); " + refusedForSpace
                                    + " creates refused as 'disk is full'"),
                    Hypothesis.check(
                            "reads of cached tasks kept working while the disk was full",
                            failedReads == 0,
                            failedReads + " of " + reads + " failed"),
                    Hypothesis.check(
                            "requests succeed again within 10 s of the space returning, with no one's help",
                            lastFailure <= WRITES_BACK_WITHIN_MS,
                            "last failure " + lastFailure + " ms after it returned"
                                    + (panicked ? " (PostgreSQL restarted after its PANIC)" : "")));
        });
    }

    /** Asks PostgreSQL for room the disk no longer has: its own words, which name the full disk. */
    private static String probe(Stack stack) {
        try {
            PostgresContainer.of(stack).psql(Stack.DATABASE, PROBE);
            return "it wrote a 4 MB temporary table: the disk was not full";
        } catch (StackctlException e) {
            return e.getMessage();
        }
    }

    /** PostgreSQL's log lines stamped at or after {@code since} ("2026-12-06 03:08:18.847 UTC [59] PANIC: ..."). */
    static String linesSince(String log, Instant since) {
        StringBuilder kept = new StringBuilder();
        for (String line : log.split("\n")) {
            if (line.length() < 23) {
                continue;
            }
            try {
                var stamp =
                        LocalDateTime.parse(line.substring(0, 23), LOG_STAMP).toInstant(ZoneOffset.UTC);
                if (!stamp.isBefore(since)) {
                    kept.append(line).append('\n');
                }
            } catch (DateTimeParseException notALogLine) {
                // the entrypoint's own lines, or a line a long message continued onto
            }
        }
        return kept.toString();
    }

    private static String abbreviate(String text) {
        String line = text.replaceAll("\\s+", " ");
        return line.length() <= 160 ? line : line.substring(0, 160) + "...";
    }

    @Override
    public void restore(DrillContext context) {
        if (fill != null) {
            fill.heal();
        }
    }
}
