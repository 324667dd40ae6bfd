package io.stackctl.taskmanager.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.taskmanager.task.Scope;
import io.stackctl.taskmanager.task.TaskQuery;
import io.stackctl.taskmanager.task.TaskStatus;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CacheKeysTest {

    private static final Scope ALICE = Scope.own(7);

    @Test
    void listKeyChangesWithTheGeneration() {
        var query = new TaskQuery(Optional.empty(), 100, 0);

        assertThat(CacheKeys.list(1, ALICE, query)).isNotEqualTo(CacheKeys.list(2, ALICE, query));
    }

    @Test
    void listKeyDistinguishesEveryQueryParameter() {
        var base = new TaskQuery(Optional.empty(), 100, 0);

        assertThat(CacheKeys.list(1, ALICE, base))
                .isEqualTo("tm:tasks:list:1:u7:all:100:0")
                .isNotEqualTo(CacheKeys.list(1, ALICE, new TaskQuery(Optional.of(TaskStatus.PENDING), 100, 0)))
                .isNotEqualTo(CacheKeys.list(1, ALICE, new TaskQuery(Optional.empty(), 10, 0)))
                .isNotEqualTo(CacheKeys.list(1, ALICE, new TaskQuery(Optional.empty(), 100, 10)));
    }

    @Test
    void keysSeparateUsersAndAnAdminsViewOfEveryone() {
        var query = new TaskQuery(Optional.empty(), 100, 0);

        assertThat(CacheKeys.list(1, ALICE, query))
                .isNotEqualTo(CacheKeys.list(1, Scope.own(8), query))
                .isNotEqualTo(CacheKeys.list(1, Scope.everyone(7), query));
        assertThat(CacheKeys.task(7, 42)).isNotEqualTo(CacheKeys.task(8, 42));
        assertThat(CacheKeys.task(4, 22)).isNotEqualTo(CacheKeys.task(42, 2));
    }

    @Test
    void everyKeyMatchesThePatternsThatClearUses() {
        assertThat(CacheKeys.task(7, 42)).isEqualTo("tm:task:7:42").startsWith(CacheKeys.TASK_PATTERN.replace("*", ""));
        assertThat(CacheKeys.legacyTask(42)).startsWith(CacheKeys.TASK_PATTERN.replace("*", ""));
        assertThat(CacheKeys.list(3, ALICE, new TaskQuery(Optional.empty(), 1, 0)))
                .startsWith(CacheKeys.LIST_PATTERN.replace("*", ""));
        assertThat(CacheKeys.GENERATION).doesNotStartWith(CacheKeys.LIST_PATTERN.replace("*", ""));
        assertThat(CacheKeys.rate("u7", 1)).doesNotStartWith(CacheKeys.TASK_PATTERN.replace("*", ""));
    }
}
