package io.stackctl.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Grandfather-father-son retention, with the semantics of restic's {@code --keep-daily} and friends: for the
 * last N days (weeks, months) that have backups, keep the newest backup of each. Periods are UTC days, ISO
 * weeks and calendar months. The newest verified backup is always kept, whatever the policy says.
 */
public final class Retention {

    public record Policy(int daily, int weekly, int monthly) {
        public Policy {
            if (daily < 0 || weekly < 0 || monthly < 0) {
                throw new IllegalArgumentException("keep counts cannot be negative");
            }
        }

        public boolean keepsNothing() {
            return daily == 0 && weekly == 0 && monthly == 0;
        }
    }

    public record Candidate(String name, Instant createdAt, boolean verified) {}

    /** One decision: keep (with the reasons) or delete. */
    public record Decision(Candidate candidate, List<String> reasons) {
        public boolean keep() {
            return !reasons.isEmpty();
        }
    }

    private Retention() {}

    /** Decisions for every candidate, newest first. */
    public static List<Decision> plan(List<Candidate> candidates, Policy policy) {
        List<Candidate> newestFirst = candidates.stream()
                .sorted(Comparator.comparing(Candidate::createdAt).reversed())
                .toList();
        Map<Candidate, List<String>> reasons = new LinkedHashMap<>();
        newestFirst.forEach(c -> reasons.put(c, new ArrayList<>()));
        keepNewestPerPeriod(newestFirst, policy.daily(), "daily", Retention::day, reasons);
        keepNewestPerPeriod(newestFirst, policy.weekly(), "weekly", Retention::isoWeek, reasons);
        keepNewestPerPeriod(newestFirst, policy.monthly(), "monthly", Retention::month, reasons);
        Optional<Candidate> newestVerified =
                newestFirst.stream().filter(Candidate::verified).findFirst();
        newestVerified.ifPresent(c -> reasons.get(c).add("newest verified"));
        return newestFirst.stream()
                .map(c -> new Decision(c, List.copyOf(reasons.get(c))))
                .toList();
    }

    private static void keepNewestPerPeriod(
            List<Candidate> newestFirst,
            int periods,
            String label,
            Function<Instant, String> period,
            Map<Candidate, List<String>> reasons) {
        String last = null;
        int kept = 0;
        for (Candidate candidate : newestFirst) {
            if (kept == periods) {
                return;
            }
            String current = period.apply(candidate.createdAt());
            if (!current.equals(last)) {
                reasons.get(candidate).add(label + " " + current);
                last = current;
                kept++;
            }
        }
    }

    static String day(Instant at) {
        return at.atZone(ZoneOffset.UTC).toLocalDate().toString();
    }

    static String isoWeek(Instant at) {
        var date = at.atZone(ZoneOffset.UTC);
        return "%d-W%02d".formatted(date.get(IsoFields.WEEK_BASED_YEAR), date.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    }

    static String month(Instant at) {
        var date = at.atZone(ZoneOffset.UTC);
        return "%d-%02d".formatted(date.getYear(), date.getMonthValue());
    }
}
