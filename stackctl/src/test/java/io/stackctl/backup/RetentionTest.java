package io.stackctl.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.backup.Retention.Candidate;
import io.stackctl.backup.Retention.Decision;
import io.stackctl.backup.Retention.Policy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RetentionTest {

    /** Four backups a day, every day of 2025, plus the first days of 2026: a year and a bit of history. */
    private static final Instant START = Instant.parse("2025-01-01T02:00:00Z");

    private static List<Candidate> yearOfBackups(int days) {
        List<Candidate> all = new ArrayList<>();
        for (int d = 0; d < days; d++) {
            for (int h = 0; h < 24; h += 6) {
                Instant at = START.plus(Duration.ofDays(d)).plus(Duration.ofHours(h));
                all.add(new Candidate("b-" + at, at, false));
            }
        }
        return all;
    }

    private static Set<String> kept(List<Decision> plan) {
        return plan.stream()
                .filter(Decision::keep)
                .map(d -> d.candidate().name())
                .collect(Collectors.toSet());
    }

    @Test
    void keepsTheNewestBackupOfEachRecentDayWeekAndMonth() {
        var backups = yearOfBackups(380); // up to 2026-01-15
        var plan = Retention.plan(backups, new Policy(7, 4, 12));

        var keep = kept(plan);
        // the newest of each of the last 7 days: 2026-01-09 .. 2026-01-15, each at 20:00
        for (int day = 9; day <= 15; day++) {
            assertThat(keep).contains("b-2026-01-%02dT20:00:00Z".formatted(day));
        }
        // ISO weeks: 2026-W03 (newest, Jan 15), W02 (Sun Jan 11), W01 (Sun Jan 4), 2025-W52 (Sun Dec 28)
        assertThat(keep).contains("b-2026-01-11T20:00:00Z", "b-2026-01-04T20:00:00Z", "b-2025-12-28T20:00:00Z");
        // months: the last backup of each of the 11 months before January 2026
        for (String lastDay : List.of("2025-12-31", "2025-11-30", "2025-10-31", "2025-03-31", "2025-02-28")) {
            assertThat(keep).contains("b-" + lastDay + "T20:00:00Z");
        }
        assertThat(keep).doesNotContain("b-2025-01-31T20:00:00Z"); // the 13th month back
        // overlaps count once: 7 days, 2 more weeks (W03 and W02 end inside the 7 days), 11 more months
        assertThat(keep).hasSize(7 + 2 + 11);
        assertThat(plan).hasSize(backups.size());
    }

    @Test
    void everyDecisionSaysWhyItKeeps() {
        var plan = Retention.plan(yearOfBackups(40), new Policy(2, 1, 1));

        var newest = plan.get(0);
        assertThat(newest.candidate().name()).isEqualTo("b-2025-02-09T20:00:00Z");
        assertThat(newest.reasons()).containsExactly("daily 2025-02-09", "weekly 2025-W06", "monthly 2025-02");
        assertThat(plan.get(1).keep()).isFalse(); // same day, older
    }

    @Test
    void neverDeletesTheNewestVerifiedBackupEvenWhenThePolicyWouldDropIt() {
        var backups = new ArrayList<>(yearOfBackups(30));
        Instant old = START.plus(Duration.ofDays(3)).plus(Duration.ofHours(6));
        backups.replaceAll(c -> c.createdAt().equals(old) ? new Candidate(c.name(), old, true) : c);

        var plan = Retention.plan(backups, new Policy(1, 0, 0));

        assertThat(kept(plan)).containsExactlyInAnyOrder("b-2025-01-30T20:00:00Z", "b-" + old);
        assertThat(plan.stream().filter(d -> d.candidate().createdAt().equals(old)))
                .singleElement()
                .extracting(Decision::reasons)
                .isEqualTo(List.of("newest verified"));
    }

    @Test
    void pruningTwiceDeletesNothingMoreTheSecondTime() {
        var policy = new Policy(7, 4, 6);
        var first = Retention.plan(yearOfBackups(365), policy);
        var survivors =
                first.stream().filter(Decision::keep).map(Decision::candidate).toList();

        var second = Retention.plan(survivors, policy);

        assertThat(second).allMatch(Decision::keep);
    }

    @Test
    void weeksFollowIsoWeekYearsAcrossNewYear() {
        assertThat(Retention.isoWeek(Instant.parse("2024-12-30T10:00:00Z"))).isEqualTo("2025-W01");
        assertThat(Retention.isoWeek(Instant.parse("2027-01-01T10:00:00Z"))).isEqualTo("2026-W53");
        assertThat(Retention.month(Instant.parse("2025-12-31T23:59:59Z"))).isEqualTo("2025-12");
    }

    @Test
    void fewerBackupsThanPeriodsKeepsThemAll() {
        var three = yearOfBackups(3).stream()
                .filter(c -> c.createdAt().toString().endsWith("T20:00:00Z"))
                .toList();

        assertThat(Retention.plan(three, new Policy(7, 0, 0))).allMatch(Decision::keep);
        assertThat(Retention.plan(List.of(), new Policy(7, 4, 6))).isEmpty();
    }

    @Test
    void negativeCountsAreRefused() {
        assertThatThrownBy(() -> new Policy(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Policy(0, 0, 0).keepsNothing()).isTrue();
    }
}
