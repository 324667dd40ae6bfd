package io.stackctl.taskmanager.service;

import io.stackctl.taskmanager.cache.TaskCache;
import io.stackctl.taskmanager.db.TaskRepository;
import io.stackctl.taskmanager.task.KeyedCreate;
import io.stackctl.taskmanager.task.NewTask;
import io.stackctl.taskmanager.task.Scope;
import io.stackctl.taskmanager.task.Task;
import io.stackctl.taskmanager.task.TaskPatch;
import io.stackctl.taskmanager.task.TaskQuery;
import io.stackctl.taskmanager.task.TaskStatus;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Tasks for the JSON API and the HTML page alike. Reads are cache-aside (Redis first, PostgreSQL on a miss, the
 * answer cached for the next reader), and the concurrent misses of one answer share one database read; writes
 * commit to the database first, then the cache forgets.
 */
public final class TaskService {

    /** A read's JSON, in its cached form, and whether Redis had it. */
    public record Read(byte[] json, boolean fromCache) {}

    /** Database reads made for cache misses, and misses answered by another request's read. */
    public record LoadCounts(long loads, long shared) {}

    /** What decides a task read's answer: who asks (their scope), which task, and its writes seen so far. */
    private record TaskFlight(Scope scope, long id, long version) {}

    private final TaskRepository repository;
    private final TaskCache cache;
    private final CachedForms forms;
    private final SingleFlight<String> lists = new SingleFlight<>();
    private final SingleFlight<TaskFlight> tasks = new SingleFlight<>();
    private final LongAdder databaseReads = new LongAdder();

    public TaskService(TaskRepository repository, TaskCache cache, CachedForms forms) {
        this.repository = repository;
        this.cache = cache;
        this.forms = forms;
    }

    /** A page of the caller's tasks: {@code "count":N,"tasks":[...]}. */
    public Read list(Scope scope, TaskQuery query) throws SQLException {
        var lookup = cache.list(scope, query);
        if (lookup.cached() != null) {
            return new Read(lookup.cached(), true);
        }
        if (lookup.key() == null) {
            // No Redis, so no generation: a load begun before a write could not be told from one begun after it.
            return new Read(loadList(scope, query, lookup), false);
        }
        // The key names the generation, the scope and the query: all that decides the answer.
        return lists.load(lookup.key(), () -> {
            byte[] stored = cache.recheck(lookup); // stored by a load that ended just before this one began
            return stored != null ? new Read(stored, true) : new Read(loadList(scope, query, lookup), false);
        });
    }

    /** One task the caller may see: {@code {"id":...}}; empty for another user's, exactly as for a missing one. */
    public Optional<Read> read(Scope scope, long id) throws SQLException {
        var lookup = cache.task(scope.userId(), id);
        if (lookup.cached() != null) {
            return Optional.of(new Read(lookup.cached(), true));
        }
        if (lookup.version() < 0) {
            return loadTask(scope, id, lookup);
        }
        return tasks.load(new TaskFlight(scope, id, lookup.version()), () -> {
            byte[] stored = cache.recheck(scope.userId(), id);
            return stored != null ? Optional.of(new Read(stored, true)) : loadTask(scope, id, lookup);
        });
    }

    /** Database reads made for cache misses, and misses that waited for another request's read instead. */
    public LoadCounts loadCounts() {
        return new LoadCounts(
                databaseReads.sum(), lists.counts().shared() + tasks.counts().shared());
    }

    /** One task as an object, from the database (the page's edit form). */
    public Optional<Task> find(Scope scope, long id) throws SQLException {
        return repository.find(scope, id);
    }

    public Map<TaskStatus, Long> countByStatus(Scope scope) throws SQLException {
        return repository.countByStatus(scope);
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

    private byte[] loadList(Scope scope, TaskQuery query, TaskCache.ListLookup lookup) throws SQLException {
        databaseReads.increment();
        byte[] members = forms.listMembers(repository.list(scope, query));
        cache.putList(lookup, members);
        return members;
    }

    private Optional<Read> loadTask(Scope scope, long id, TaskCache.TaskLookup lookup) throws SQLException {
        databaseReads.increment();
        Optional<Task> task = repository.find(scope, id);
        if (task.isEmpty()) {
            return Optional.empty();
        }
        byte[] json = forms.task(task.get());
        // Under its owner's key, also when an admin read it: only the owner's lookups can find it there.
        cache.putTask(task.get().ownerId(), id, lookup, json);
        return Optional.of(new Read(json, false));
    }
}
