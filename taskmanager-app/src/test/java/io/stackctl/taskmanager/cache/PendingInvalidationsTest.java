package io.stackctl.taskmanager.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PendingInvalidationsTest {

    @Test
    void startsEmptyAndRemembersKeys() {
        var pending = new PendingInvalidations();
        assertThat(pending.isEmpty()).isTrue();

        pending.addTask(7, "tm:task:1:7", "tm:task:7");
        pending.addTask(9, "tm:task:2:9");

        assertThat(pending.isEmpty()).isFalse();
        var snapshot = pending.take();
        assertThat(snapshot.keys()).containsExactlyInAnyOrder("tm:task:1:7", "tm:task:7", "tm:task:2:9");
        assertThat(snapshot.tasks()).as("whose write counts move on").containsExactlyInAnyOrder(7L, 9L);
        assertThat(snapshot.purgeAll()).isFalse();
        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void listOnlyInvalidationStillNeedsAReplay() {
        var pending = new PendingInvalidations();

        pending.addLists();

        assertThat(pending.isEmpty()).isFalse();
        assertThat(pending.take().keys()).isEmpty();
    }

    @Test
    void tooManyKeysTurnIntoAFullPurge() {
        var pending = new PendingInvalidations();

        for (long id = 1; id <= PendingInvalidations.MAX_KEYS + 1; id++) {
            pending.addTask(id, CacheKeys.task(1, id));
        }

        var snapshot = pending.take();
        assertThat(snapshot.purgeAll()).isTrue();
        assertThat(snapshot.keys()).isEmpty();
        assertThat(snapshot.tasks()).isEmpty();
    }

    @Test
    void aFailedReplayIsRestored() {
        var pending = new PendingInvalidations();
        pending.addTask(3, "tm:task:1:3");
        var snapshot = pending.take();

        pending.restore(snapshot);

        assertThat(pending.isEmpty()).isFalse();
        var again = pending.take();
        assertThat(again.keys()).containsExactly("tm:task:1:3");
        assertThat(again.tasks()).containsExactly(3L);
    }
}
