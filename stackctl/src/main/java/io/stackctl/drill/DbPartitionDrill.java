package io.stackctl.drill;

import io.stackctl.engine.ServiceContainer;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL cut off from every replica (its packets vanish: queries hang rather than fail). What the cache holds
 * must still be served; what needs the database must fail fast and say so (503), never 500 and never hang; writes
 * must work again soon after the partition ends, and nothing acknowledged may be lost.
 */
public final class DbPartitionDrill extends NetworkFaultDrill {

    static final long WRITES_BACK_WITHIN_MS = 10_000;
    /** Cached reads may fail only while the replicas learn the partition (their first calls time out). */
    static final double CACHED_READS_OK_SHARE = 0.95;

    @Override
    public String name() {
        return "db-partition";
    }

    @Override
    List<ServiceContainer> targets(DrillContext context) {
        return List.of(context.stack().requirePrimaryDb());
    }

    @Override
    void after(DrillContext context, long healedAt, Map<String, Object> figures) {
        awaitSampleAfter(
                context,
                healedAt,
                Duration.ofMillis(WRITES_BACK_WITHIN_MS + 20_000),
                s -> s.kind().equals("create") && s.ok());
    }

    @Override
    List<Hypothesis> judge(List<Sample> samples, long faultAt, long healedAt, Map<String, Object> figures) {
        var failed = samples.stream().filter(Sample::failed).toList();
        long not503 = Verdicts.count(failed, s -> s.status() != 503);
        var reads = Verdicts.endedWithin(samples, faultAt, healBegunAt()).stream()
                .filter(s -> s.kind().equals("read"))
                .toList();
        long readsOk = Verdicts.count(reads, Sample::ok);
        double readsOkShare = reads.isEmpty() ? 0 : (double) readsOk / reads.size();
        long writesBack = Verdicts.firstAfter(samples, healedAt, s -> s.kind().equals("create") && s.ok())
                .orElse(-1L);
        figures.put("failed_during", failed.size());
        figures.put("cached_reads_ok_during", readsOk + "/" + reads.size());
        figures.put("writes_back_ms", writesBack);
        return List.of(
                Hypothesis.check(
                        "requests that need the database fail with 503 (no 500, 502 or dropped answer)",
                        not503 == 0,
                        failed.size() + " failed, " + not503 + " of them not 503"
                                + failed.stream()
                                        .filter(s -> s.status() != 503)
                                        .findFirst()
                                        .map(s -> " (first: " + s.describe() + ")")
                                        .orElse("")),
                Hypothesis.check(
                        "cached reads keep answering (at least " + Math.round(CACHED_READS_OK_SHARE * 100) + "%)",
                        !reads.isEmpty() && readsOkShare >= CACHED_READS_OK_SHARE,
                        readsOk + " of " + reads.size() + " reads answered"),
                Hypothesis.check(
                        "writes succeed again within " + WRITES_BACK_WITHIN_MS / 1000 + " s of the partition's end",
                        writesBack >= 0 && writesBack <= WRITES_BACK_WITHIN_MS,
                        writesBack >= 0
                                ? "first acknowledged create " + writesBack + " ms after"
                                : "no create succeeded"));
    }
}
