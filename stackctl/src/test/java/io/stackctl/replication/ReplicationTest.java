package io.stackctl.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplicationTest {

    /** What a primary with a streaming synchronous standby answers (the shape of ReplicationQuery.SQL's row). */
    static final String PRIMARY = """
            {"in_recovery" : false, "timeline" : 3, "lsn" : "0/1F0003A8", "receiver" : null,
             "sync_names" : "ANY 1 (db_standby)",
             "feeds" : [{"node" : "db_standby", "state" : "streaming", "sync" : "quorum", "lag_bytes" : 2048,
                         "lag_seconds" : 0.25}],
             "slots" : [{"name" : "db_standby", "active" : true, "wal_status" : "reserved"}]}""";

    static final String STANDBY = """
            {"in_recovery" : true, "timeline" : 3, "lsn" : "0/1F0001A0", "receiver" : "streaming",
             "sync_names" : "ANY 1 (db_standby)", "feeds" : [], "slots" : []}""";

    @Test
    void aStreamingSynchronousPairHasNoProblemAndShowsTheStandbysLag() {
        var replication = new Replication(
                "db",
                true,
                true,
                List.of(
                        ReplicationQuery.parse("db", "taskmanager_db_1", PRIMARY),
                        ReplicationQuery.parse("db-standby", "taskmanager_db-standby_1", STANDBY)));
        assertThat(replication.problems()).isEmpty();
        assertThat(replication.feed("db-standby").orElseThrow().lagBytes()).isEqualTo(2048);
        assertThat(replication.rows())
                .containsExactly(
                        List.of("db", "primary", "commits wait for 1 standby", "-", "-"),
                        List.of("db-standby", "standby", "streaming (quorum)", "2.0 KiB, 0.3s", "active, reserved"));
    }

    @Test
    void commitsWaitingForAStandbyThatIsGoneIsAProblemThatSaysWritesFail() {
        var replication = new Replication(
                "db",
                true,
                true,
                List.of(
                        ReplicationQuery.parse(
                                "db", "taskmanager_db_1", PRIMARY.replace("\"streaming\"", "\"startup\"")),
                        NodeState.down("db-standby", Optional.of("taskmanager_db-standby_1"), false)));
        assertThat(replication.problems())
                .anySatisfy(p -> assertThat(p).contains("none answers: every write fails with 503"))
                .anySatisfy(p -> assertThat(p).startsWith("the standby db-standby is stopped"));
    }

    @Test
    void aDeadPrimaryAndASecondPrimaryAreBothNamed() {
        var dead = new Replication(
                "db",
                true,
                true,
                List.of(
                        NodeState.down("db", Optional.of("taskmanager_db_1"), false),
                        ReplicationQuery.parse("db-standby", "taskmanager_db-standby_1", STANDBY)));
        assertThat(dead.problems())
                .first()
                .asString()
                .startsWith("the primary db node db is stopped: writes fail")
                .contains("failover --to db-standby");
        var split = new Replication(
                "db",
                true,
                true,
                List.of(
                        ReplicationQuery.parse("db", "taskmanager_db_1", PRIMARY),
                        ReplicationQuery.parse("db-standby", "taskmanager_db-standby_1", PRIMARY)));
        assertThat(split.problems())
                .anySatisfy(p -> assertThat(p).startsWith("db-standby answers as a primary, but the record names db"));
    }

    @Test
    void aRecordedPrimaryStillInRecoveryIsAnUnfinishedFailover() {
        var replication = new Replication(
                "db-standby",
                true,
                false,
                List.of(
                        NodeState.down("db", Optional.of("taskmanager_db_1"), false),
                        ReplicationQuery.parse("db-standby", "taskmanager_db-standby_1", STANDBY)));
        assertThat(replication.problems())
                .anySatisfy(p -> assertThat(p).startsWith("db-standby is named the primary but is still a standby"));
    }

    @Test
    void anAnswerThatIsNotJsonIsANodeThatDidNotAnswer() {
        var node = ReplicationQuery.parse("db", "taskmanager_db_1", "psql: error: connection refused");
        assertThat(node.answered()).isFalse();
        assertThat(node.role()).isEqualTo("not answering");
    }

    @Test
    void lsnsCompareAsByteOffsets() {
        assertThat(Lsn.parse("0/1F0003A8")).isEqualTo(0x1F0003A8L);
        assertThat(Lsn.parse("16/B374D848")).isEqualTo((0x16L << 32) | 0xB374D848L);
        assertThat(Lsn.parse("1/0")).isGreaterThan(Lsn.parse("0/FFFFFFFF"));
        assertThat(Lsn.parse("")).isEqualTo(-1);
        assertThat(Lsn.parse("0/")).isEqualTo(-1);
        assertThat(Lsn.parse("x/1")).isEqualTo(-1);
    }
}
