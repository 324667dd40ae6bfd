package io.stackctl.taskmanager.task;

import io.stackctl.taskmanager.cache.TaskCache;
import io.stackctl.taskmanager.db.TaskRepository;
import java.sql.SQLException;
import java.util.Optional;

/** Writes, for the JSON API and the HTML page alike: the database commits first, then the cache forgets. */
public final class TaskService {

    private final TaskRepository repository;
    private final TaskCache cache;

    public TaskService(TaskRepository repository, TaskCache cache) {
        this.repository = repository;
        this.cache = cache;
    }

    public Task create(Scope scope, NewTask task) throws SQLException {
        Task created = repository.insert(scope.userId(), task);
        cache.invalidateLists();
        return created;
    }

    /** A create that a retry with the same key cannot repeat; only a new task changes the lists. */
    public KeyedCreate createOnce(Scope scope, NewTask task, String idempotencyKey) throws SQLException {
        KeyedCreate outcome = repository.insertOnce(scope.userId(), task, idempotencyKey);
        if (outcome.result() == KeyedCreate.Result.CREATED) {
            cache.invalidateLists();
        }
        return outcome;
    }

    public Optional<Task> update(Scope scope, long id, TaskPatch patch) throws SQLException {
        Optional<Task> updated = repository.update(scope, id, patch);
        updated.ifPresent(task -> cache.invalidateTask(task.ownerId(), id));
        return updated;
    }

    public boolean delete(Scope scope, long id) throws SQLException {
        Optional<Long> owner = repository.delete(scope, id);
        owner.ifPresent(ownerId -> cache.invalidateTask(ownerId, id));
        return owner.isPresent();
    }
}
