package io.stackctl.backup;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * When the stack backs itself up and proves its backups, from compose/.env: a cron expression per job, in UTC. The
 * defaults are a full backup every Sunday at 03:00, an incremental one the other days at 03:00, and a proof of every
 * repository at 04:30 each night. Five fields are Unix cron (minute hour day month weekday); six or seven are Quartz
 * (seconds first), for schedules finer than a minute; {@code off} turns a job off. The stack's agent runs the jobs
 * (see {@link ScheduledBackups}), not the host's cron.
 */
public final class BackupSchedule {

    /** What the schedule runs; a full and an incremental backup due at once run as the full one alone. */
    public enum Job {
        FULL("BACKUP_SCHEDULE_FULL", "0 3 * * 0"),
        INCR("BACKUP_SCHEDULE_INCR", "0 3 * * 1-6"),
        PROVE("BACKUP_SCHEDULE_PROVE", "30 4 * * *");

        public final String setting;
        public final String fallback;

        Job(String setting, String fallback) {
            this.setting = setting;
            this.fallback = fallback;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser QUARTZ =
            new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    private final Map<Job, String> expressions;
    private final Map<Job, ExecutionTime> times;

    private BackupSchedule(Map<Job, String> expressions, Map<Job, ExecutionTime> times) {
        this.expressions = expressions;
        this.times = times;
    }

    /**
     * The schedule {@code settings} describe (BACKUP_SCHEDULE_FULL, _INCR, _PROVE; the defaults where one is unset).
     * A wrong expression is exit 2 naming the setting.
     */
    public static BackupSchedule parse(UnaryOperator<String> settings) {
        Map<Job, String> expressions = new EnumMap<>(Job.class);
        Map<Job, ExecutionTime> times = new EnumMap<>(Job.class);
        for (Job job : Job.values()) {
            String value = Optional.ofNullable(settings.apply(job.setting))
                    .map(String::strip)
                    .filter(v -> !v.isEmpty())
                    .orElse(job.fallback);
            expressions.put(job, value);
            if (!value.equalsIgnoreCase("off")) {
                times.put(job, ExecutionTime.forCron(cron(job, value)));
            }
        }
        return new BackupSchedule(expressions, times);
    }

    private static Cron cron(Job job, String value) {
        int fields = value.split("\\s+").length;
        try {
            return (fields == 5 ? UNIX : QUARTZ).parse(value).validate();
        } catch (IllegalArgumentException e) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    job.setting + " '" + value + "' is not a cron expression: " + e.getMessage(),
                    "use five fields, minute hour day month weekday, in UTC (the default is '" + job.fallback
                            + "'), six or seven for Quartz with seconds first, or off");
        }
    }

    public String expression(Job job) {
        return expressions.get(job);
    }

    /** The next time {@code job} runs after {@code now}; empty when it is off. */
    public Optional<ZonedDateTime> next(Job job, ZonedDateTime now) {
        return Optional.ofNullable(times.get(job)).flatMap(time -> time.nextExecution(now));
    }

    /**
     * The jobs due in (after, upTo]: each at most once however many times it fell due (an agent that was down runs a
     * missed job once, not once per miss); a full backup makes an incremental one due with it needless.
     */
    public List<Job> due(ZonedDateTime after, ZonedDateTime upTo) {
        List<Job> due = new ArrayList<>();
        for (Job job : Job.values()) {
            next(job, after).filter(at -> !at.isAfter(upTo)).ifPresent(at -> due.add(job));
        }
        if (due.contains(Job.FULL)) {
            due.remove(Job.INCR);
        }
        return due;
    }
}
