package io.stackctl.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.backup.BackupSchedule.Job;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.time.ZonedDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackupScheduleTest {

    private static BackupSchedule of(Map<String, String> settings) {
        return BackupSchedule.parse(settings::get);
    }

    @Test
    void byDefaultAFullBackupOnSundayAnIncrementalOneTheOtherDaysAndAProofEachNight() {
        var schedule = of(Map.of());
        // A Wednesday.
        var now = ZonedDateTime.parse("2026-12-02T12:00:00Z");

        assertThat(schedule.next(Job.FULL, now)).contains(ZonedDateTime.parse("2026-12-06T03:00:00Z"));
        assertThat(schedule.next(Job.INCR, now)).contains(ZonedDateTime.parse("2026-12-03T03:00:00Z"));
        assertThat(schedule.next(Job.PROVE, now)).contains(ZonedDateTime.parse("2026-12-03T04:30:00Z"));
    }

    @Test
    void aJobMissedManyTimesRunsOnceAndAFullBackupMakesTheIncrementalOneNeedless() {
        var schedule = of(Map.of("BACKUP_SCHEDULE_INCR", "0 3 * * *"));
        // The agent was down from Saturday to Monday: Sunday's full and two incrementals fell due.
        var due =
                schedule.due(ZonedDateTime.parse("2026-12-05T12:00:00Z"), ZonedDateTime.parse("2026-12-07T12:00:00Z"));

        assertThat(due).containsExactly(Job.FULL, Job.PROVE);
        assertThat(schedule.due(
                        ZonedDateTime.parse("2026-12-07T12:00:00Z"), ZonedDateTime.parse("2026-12-07T12:00:30Z")))
                .isEmpty();
    }

    @Test
    void sixFieldsAreQuartzWithSecondsAndOffTurnsAJobOff() {
        var schedule = of(Map.of("BACKUP_SCHEDULE_INCR", "*/15 * * * * ?", "BACKUP_SCHEDULE_PROVE", "off"));
        var now = ZonedDateTime.parse("2026-12-02T12:00:01Z");

        assertThat(schedule.next(Job.INCR, now)).contains(ZonedDateTime.parse("2026-12-02T12:00:15Z"));
        assertThat(schedule.next(Job.PROVE, now)).isEmpty();
        assertThat(schedule.due(now, now.plusMinutes(10))).doesNotContain(Job.PROVE);
    }

    @Test
    void aWrongExpressionIsAUsageErrorNamingTheSetting() {
        assertThatThrownBy(() -> of(Map.of("BACKUP_SCHEDULE_FULL", "every sunday")))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("BACKUP_SCHEDULE_FULL 'every sunday' is not a cron expression")
                .satisfies(e -> assertThat(((StackctlException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
        assertThatThrownBy(() -> of(Map.of("BACKUP_SCHEDULE_INCR", "61 3 * * *")))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("BACKUP_SCHEDULE_INCR");
    }
}
