package io.stackctl.taskmanager.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.taskmanager.task.TaskQuery;
import io.stackctl.taskmanager.task.TaskStatus;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CacheKeysTest {

    @Test
    void listKeyChangesWithTheGeneration() {
        var query = new TaskQuery(Optional.empty(), 100, 0);

        assertThat(CacheKeys.list(1, query)).isNotEqualTo(CacheKeys.list(2, query));
    }

    @Test
    void listKeyDistinguishesEveryQueryParameter() {
        var base = new TaskQuery(Optional.empty(), 100, 0);

        assertThat(CacheKeys.list(1, base))
                .isEqualTo("tm:tasks:list:1:all:100:0")
                .isNotEqualTo(CacheKeys.list(1, new TaskQuery(Optional.of(TaskStatus.PENDING), 100, 0)))
                .isNotEqualTo(CacheKeys.list(1, new TaskQuery(Optional.empty(), 10, 0)))
                .isNotEqualTo(CacheKeys.list(1, new TaskQuery(Optional.empty(), 100, 10)));
    }

    @Test
    void everyKeyMatchesThePatternsThatClearUses() {
        assertThat(CacheKeys.task(42)).isEqualTo("tm:task:42").startsWith(CacheKeys.TASK_PATTERN.replace("*", ""));
        assertThat(CacheKeys.list(3, new TaskQuery(Optional.empty(), 1, 0)))
                .startsWith(CacheKeys.LIST_PATTERN.replace("*", ""));
        assertThat(CacheKeys.GENERATION).doesNotStartWith(CacheKeys.LIST_PATTERN.replace("*", ""));
    }
}
