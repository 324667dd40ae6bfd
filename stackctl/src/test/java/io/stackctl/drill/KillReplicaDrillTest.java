package io.stackctl.drill;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KillReplicaDrillTest {

    private static final String STALLED =
            "{\"error\":\"database unavailable\",\"detail\":\"the database did not answer in time; retry shortly\"}";
    private static final String BUSY = "{\"error\":\"database unavailable\",\"detail\":\"every database connection of"
            + " this replica stayed in use past the wait; retry shortly\"}";

    private static Sample answered(int status, String instance, String detail) {
        return new Sample(7_442, 2_262, "read", true, status, instance, "", 0, false, detail, 0);
    }

    @Test
    void aLiveReplicasDatabaseThatDidNotAnswerIsNotTheKills() {
        assertThat(KillReplicaDrill.databaseDidNotAnswer(answered(503, "live", STALLED), "victim"))
                .isTrue();
    }

    @Test
    void whatTheKillCanCauseStillCounts() {
        assertThat(KillReplicaDrill.databaseDidNotAnswer(answered(503, "victim", STALLED), "victim"))
                .as("the dead replica's own answer, restarted")
                .isFalse();
        assertThat(KillReplicaDrill.databaseDidNotAnswer(answered(503, "live", BUSY), "victim"))
                .as("a survivor short of connections: the load the kill moved onto it")
                .isFalse();
        assertThat(KillReplicaDrill.databaseDidNotAnswer(answered(502, "", "Bad Gateway"), "victim"))
                .isFalse();
        assertThat(KillReplicaDrill.databaseDidNotAnswer(answered(0, "", "HttpTimeoutException"), "victim"))
                .isFalse();
    }
}
