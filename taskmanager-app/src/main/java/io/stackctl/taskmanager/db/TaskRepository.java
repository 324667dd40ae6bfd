package io.stackctl.taskmanager.db;

import io.stackctl.taskmanager.task.KeyedCreate;
import io.stackctl.taskmanager.task.NewTask;
import io.stackctl.taskmanager.task.Scope;
import io.stackctl.taskmanager.task.Task;
import io.stackctl.taskmanager.task.TaskPatch;
import io.stackctl.taskmanager.task.TaskQuery;
import io.stackctl.taskmanager.task.TaskStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Plain SQL over {@code tasks}, always within a {@link Scope}: a user's statements carry their owner id. Each
 * write is one statement, or one transaction for a create with its Idempotency-Key, so it either happens whole
 * or not at all.
 */
public final class TaskRepository {

    private static final String SELECT = "SELECT " + TaskRowMapper.COLUMNS + " FROM tasks";
    private static final String NEWEST_FIRST = " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?";

    /** How long a create's Idempotency-Key protects it from being repeated. */
    public static final int KEY_TTL_HOURS = 24;

    private static final String PREFIXED_COLUMNS = "t." + TaskRowMapper.COLUMNS.replace(", ", ", t.");

    private final DataSource dataSource;
    private final StandbyReads lists;

    public TaskRepository(DataSource dataSource) {
        this(dataSource, StandbyReads.off(dataSource));
    }

    /** @param lists where list reads go: a standby that has caught up, or the primary */
    public TaskRepository(DataSource dataSource, StandbyReads lists) {
        this.dataSource = dataSource;
        this.lists = lists;
    }

    public List<Task> list(Scope scope, TaskQuery query) throws SQLException {
        return lists.read(connection -> list(connection, scope, query));
    }

    private static List<Task> list(Connection connection, Scope scope, TaskQuery query) throws SQLException {
        var where = new ArrayList<String>();
        if (!scope.everyone()) {
            where.add("owner_id = ?");
        }
        query.status().ifPresent(s -> where.add("status = ?"));
        String sql = SELECT + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where)) + NEWEST_FIRST;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int index = 1;
            if (!scope.everyone()) {
                statement.setLong(index++, scope.userId());
            }
            if (query.status().isPresent()) {
                statement.setString(index++, query.status().get().wire());
            }
            statement.setInt(index++, query.limit());
            statement.setInt(index, query.offset());
            try (ResultSet rows = statement.executeQuery()) {
                List<Task> tasks = new ArrayList<>();
                while (rows.next()) {
                    tasks.add(TaskRowMapper.map(rows));
                }
                return tasks;
            }
        }
    }

    /** How many tasks of the scope there are in each status (a status with none is absent). */
    public Map<TaskStatus, Long> countByStatus(Scope scope) throws SQLException {
        String sql = "SELECT status, count(*) FROM tasks" + (scope.everyone() ? "" : " WHERE owner_id = ?")
                + " GROUP BY status";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            if (!scope.everyone()) {
                statement.setLong(1, scope.userId());
            }
            try (ResultSet rows = statement.executeQuery()) {
                Map<TaskStatus, Long> counts = new java.util.EnumMap<>(TaskStatus.class);
                while (rows.next()) {
                    var status = TaskStatus.fromWire(rows.getString(1));
                    if (status.isPresent()) {
                        counts.put(status.get(), rows.getLong(2));
                    }
                }
                return counts;
            }
        }
    }

    public Optional<Task> find(Scope scope, long id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(SELECT + " WHERE id = ?" + owned(scope))) {
            statement.setLong(1, id);
            if (!scope.everyone()) {
                statement.setLong(2, scope.userId());
            }
            return single(statement);
        }
    }

    public Task insert(long ownerId, NewTask task) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return insert(connection, ownerId, task);
        }
    }

    /**
     * Creates the task once per {@code key}: the task and its key commit together, and a second request with the
     * key gets the first one's task. A create with the same key still in flight is waited for (the key's unique
     * index holds the second insert until the first commits or rolls back).
     */
    public KeyedCreate insertOnce(long ownerId, NewTask task, String clientKey) throws SQLException {
        // Each user has their own key space: another user's key can neither replay nor block this create.
        String key = ownerId + ":" + clientKey;
        // A second try only when the first task under the key was deleted between our conflict and our read.
        Optional<KeyedCreate> outcome = tryInsertOnce(ownerId, task, key);
        return outcome.isPresent()
                ? outcome.get()
                : tryInsertOnce(ownerId, task, key)
                        .orElseThrow(() -> new SQLException("the task of Idempotency-Key " + key
                                + " was deleted while it was being created again"));
    }

    private Optional<KeyedCreate> tryInsertOnce(long ownerId, NewTask task, String key) throws SQLException {
        String fingerprint = task.fingerprint();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                forgetExpiredKeys(connection);
                Task created = insert(connection, ownerId, task);
                if (claim(connection, key, fingerprint, created.id())) {
                    connection.commit();
                    return Optional.of(new KeyedCreate(created, KeyedCreate.Result.CREATED));
                }
                connection.rollback();
                Optional<KeyedCreate> earlier = earlier(connection, key, fingerprint);
                connection.commit();
                return earlier;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private static Task insert(Connection connection, long ownerId, NewTask task) throws SQLException {
        String sql = "INSERT INTO tasks (title, description, status, owner_id) VALUES (?, ?, ?, ?) RETURNING "
                + TaskRowMapper.COLUMNS;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, task.title());
            statement.setString(2, task.description());
            statement.setString(3, task.status().wire());
            statement.setLong(4, ownerId);
            return single(statement).orElseThrow(() -> new SQLException("INSERT ... RETURNING gave no row"));
        }
    }

    private static void forgetExpiredKeys(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => " + KEY_TTL_HOURS
                        + ")")) {
            statement.executeUpdate();
        }
    }

    private static boolean claim(Connection connection, String key, String fingerprint, long taskId)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "INSERT INTO idempotency_keys (key, fingerprint, task_id) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING")) {
            statement.setString(1, key);
            statement.setString(2, fingerprint);
            statement.setLong(3, taskId);
            return statement.executeUpdate() == 1;
        }
    }

    private static Optional<KeyedCreate> earlier(Connection connection, String key, String fingerprint)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT k.fingerprint, " + PREFIXED_COLUMNS
                + " FROM idempotency_keys k JOIN tasks t ON t.id = k.task_id WHERE k.key = ?")) {
            statement.setString(1, key);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(
                        rows.getString("fingerprint").equals(fingerprint)
                                ? new KeyedCreate(TaskRowMapper.map(rows), KeyedCreate.Result.REPLAYED)
                                : KeyedCreate.keyReused());
            }
        }
    }

    /** Applies only the fields the patch carries; empty when no task has that id. */
    public Optional<Task> update(Scope scope, long id, TaskPatch patch) throws SQLException {
        var sets = new ArrayList<String>();
        patch.title().ifPresent(t -> sets.add("title = ?"));
        if (patch.touchesDescription()) {
            sets.add("description = ?");
        }
        patch.status().ifPresent(s -> sets.add("status = ?"));
        sets.add("updated_at = now()");
        String sql = "UPDATE tasks SET " + String.join(", ", sets) + " WHERE id = ?" + owned(scope) + " RETURNING "
                + TaskRowMapper.COLUMNS;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            int index = 1;
            if (patch.title().isPresent()) {
                statement.setString(index++, patch.title().get());
            }
            if (patch.touchesDescription()) {
                if (patch.clearDescription()) {
                    statement.setNull(index++, Types.VARCHAR);
                } else {
                    statement.setString(index++, patch.description().orElseThrow());
                }
            }
            if (patch.status().isPresent()) {
                statement.setString(index++, patch.status().get().wire());
            }
            statement.setLong(index++, id);
            if (!scope.everyone()) {
                statement.setLong(index, scope.userId());
            }
            return single(statement);
        }
    }

    /** The deleted task's owner, or empty when the scope has no task with that id. */
    public Optional<Long> delete(Scope scope, long id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "DELETE FROM tasks WHERE id = ?" + owned(scope) + " RETURNING owner_id")) {
            statement.setLong(1, id);
            if (!scope.everyone()) {
                statement.setLong(2, scope.userId());
            }
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
            }
        }
    }

    /** The owner condition, bound right after the id; an admin's scope has none. */
    private static String owned(Scope scope) {
        return scope.everyone() ? "" : " AND owner_id = ?";
    }

    private static Optional<Task> single(PreparedStatement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next() ? Optional.of(TaskRowMapper.map(rows)) : Optional.empty();
        }
    }
}
