package io.stackctl.taskmanager.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PendingInvalidationsTest {

    @Test
    void startsEmptyAndRemembersIds() {
        var pending = new PendingInvalidations();
        assertThat(pending.isEmpty()).isTrue();

        pending.addTask(7);
        pending.addTask(9);

        assertThat(pending.isEmpty()).isFalse();
        var snapshot = pending.take();
        assertThat(snapshot.ids()).containsExactlyInAnyOrder(7L, 9L);
        assertThat(snapshot.purgeAll()).isFalse();
        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void listOnlyInvalidationStillNeedsAReplay() {
        var pending = new PendingInvalidations();

        pending.addLists();

        assertThat(pending.isEmpty()).isFalse();
        assertThat(pending.take().ids()).isEmpty();
    }

    @Test
    void tooManyIdsTurnIntoAFullPurge() {
        var pending = new PendingInvalidations();

        for (long id = 1; id <= PendingInvalidations.MAX_IDS + 1; id++) {
            pending.addTask(id);
        }

        var snapshot = pending.take();
        assertThat(snapshot.purgeAll()).isTrue();
        assertThat(snapshot.ids()).isEmpty();
    }

    @Test
    void aFailedReplayIsRestored() {
        var pending = new PendingInvalidations();
        pending.addTask(3);
        var snapshot = pending.take();

        pending.restore(snapshot);

        assertThat(pending.isEmpty()).isFalse();
        assertThat(pending.take().ids()).containsExactly(3L);
    }
}
