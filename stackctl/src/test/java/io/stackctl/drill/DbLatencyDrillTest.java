package io.stackctl.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class DbLatencyDrillTest {

    private static Sample answer(String kind, String instance, String source, long latencyMs, double dbMs) {
        return new Sample(0, latencyMs, kind, true, 200, instance, source, 0, false, "", 0, dbMs, -1);
    }

    @Test
    void serverTimingIsReadForItsDbMetricAlone() {
        assertThat(Sample.dbMs("app;dur=2.125, db;dur=0.812")).isEqualTo(0.812);
        assertThat(Sample.dbMs("db;desc=\"pool\";dur=12")).isEqualTo(12.0);
        assertThat(Sample.dbMs("app;dur=2.125")).as("said, and no database").isZero();
        assertThat(Sample.dbMs("")).as("not said").isEqualTo(-1);
        assertThat(Sample.dbMs("db;dur=soon")).isEqualTo(-1);
        assertThat(Sample.appMs("app;dur=2.125, db;dur=0.812")).isEqualTo(2.125);
        assertThat(Sample.appMs("")).isEqualTo(-1);
    }

    @Test
    void slowCachedReadsPassWhileNoneUsedTheDatabase() {
        var slowButCached = List.of(answer("read", "a", "cache", 751, 0), answer("read", "b", "cache", 20, 0));
        assertThat(DbLatencyDrill.cachedReadsAskedNothing(slowButCached, 194, 751)
                        .held())
                .isTrue();
    }

    @Test
    void oneCachedReadThatAskedTheDatabaseFails() {
        var one = List.of(answer("read", "a", "cache", 5, 0), answer("read", "a", "cache", 210, 201.5));
        var verdict = DbLatencyDrill.cachedReadsAskedNothing(one, 10, 210);
        assertThat(verdict.held()).isFalse();
        assertThat(verdict.measured()).startsWith("1 of 2 cached reads used the database");
    }

    @Test
    void anAppThatDoesNotSayIsNotTakenForOneThatUsedNoDatabase() {
        var verdict = DbLatencyDrill.cachedReadsAskedNothing(List.of(answer("read", "a", "cache", 5, -1)), 10, 5);
        assertThat(verdict.held()).isFalse();
        assertThat(verdict.measured()).contains("older than this stackctl");
        assertThat(DbLatencyDrill.cachedReadsAskedNothing(List.of(), 10, 0).held())
                .isFalse();
    }

    @Test
    void cachedReadsTwiceAsSlowAsTheirBaselineFail() {
        var verdict = DbLatencyDrill.cachedReadsKeptTheirPace(60.0, 120.1, 200);
        assertThat(verdict.held()).isFalse();
        assertThat(verdict.measured()).isEqualTo("p99 120.1 ms over 200 cached reads, before 60.0 ms (limit 120.0 ms)");
        assertThat(DbLatencyDrill.cachedReadsKeptTheirPace(60.0, 120.0, 200).held())
                .isTrue();
    }

    @Test
    void aSmallBaselineMayGrowByABusyHostsNoiseButNotByADatabaseRoundTrip() {
        // CI run 35, a slow host: no read waited on the database
        assertThat(DbLatencyDrill.cachedReadsKeptTheirPace(27.8, 64.4, 200).held())
                .isTrue();
        assertThat(DbLatencyDrill.cachedReadsKeptTheirPace(3.5, 53.5, 200).held())
                .isTrue();
        assertThat(DbLatencyDrill.cachedReadsKeptTheirPace(3.5, 53.6, 200).held())
                .isFalse();
        // one read that waited on the 200 ms the fault adds is far beyond it
        assertThat(DbLatencyDrill.cachedReadsKeptTheirPace(3.5, 203.5, 200).held())
                .isFalse();
    }

    @Test
    void cachedReadsThatDidNotSayTheirTimeOrDidNotHappenFail() {
        var unsaid = DbLatencyDrill.cachedReadsKeptTheirPace(-1, 2.0, 200);
        assertThat(unsaid.held()).isFalse();
        assertThat(unsaid.measured()).contains("older than this stackctl");
        assertThat(DbLatencyDrill.cachedReadsKeptTheirPace(3.0, -1, 0).held()).isFalse();
    }

    @Test
    void theLatencyIsGoneWhenEachReplicasFastestDatabaseAnswerBeatsIt() {
        var after = List.of(
                answer("create", "a", "", 900, 610.0), // still through the proxy
                answer("create", "a", "", 180, 3.2),
                answer("list", "b", "database", 400, 4.0),
                answer("read", "b", "cache", 1, 0));
        var figures = new HashMap<String, Object>();
        var verdict = DbLatencyDrill.latencyGone(after, 150, figures);
        assertThat(verdict.held()).isTrue();
        assertThat(verdict.measured()).isEqualTo("a 3.2 ms, b 4.0 ms");
    }

    @Test
    void aReplicaStillBehindTheProxyFails() {
        var after = List.of(answer("create", "a", "", 20, 3.0), answer("list", "b", "database", 700, 604.0));
        assertThat(DbLatencyDrill.latencyGone(after, 150, new HashMap<>()).held())
                .isFalse();
        assertThat(DbLatencyDrill.latencyGone(List.of(), 150, new HashMap<>()).held())
                .isFalse();
    }

    @Test
    void withoutServerTimingTheLatencyIsJudgedByTheAnswersOwnTime() {
        var after = List.of(answer("create", "a", "", 40, -1), answer("create", "b", "", 400, -1));
        assertThat(DbLatencyDrill.latencyGone(after, 150, new HashMap<>()).measured())
                .isEqualTo("a 40.0 ms, b 400.0 ms");
    }
}
