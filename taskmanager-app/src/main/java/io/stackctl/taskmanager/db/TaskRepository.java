package io.stackctl.taskmanager.db;

import io.stackctl.taskmanager.task.NewTask;
import io.stackctl.taskmanager.task.Task;
import io.stackctl.taskmanager.task.TaskPatch;
import io.stackctl.taskmanager.task.TaskQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Plain SQL over {@code tasks}. Each write is one statement, so it either happens whole or not at all. */
public final class TaskRepository {

    private static final String SELECT = "SELECT " + TaskRowMapper.COLUMNS + " FROM tasks";
    private static final String NEWEST_FIRST = " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?";

    private final DataSource dataSource;

    public TaskRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<Task> list(TaskQuery query) throws SQLException {
        String sql = query.status().isPresent() ? SELECT + " WHERE status = ?" + NEWEST_FIRST : SELECT + NEWEST_FIRST;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            int index = 1;
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

    public Optional<Task> find(long id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(SELECT + " WHERE id = ?")) {
            statement.setLong(1, id);
            return single(statement);
        }
    }

    public Task insert(NewTask task) throws SQLException {
        String sql =
                "INSERT INTO tasks (title, description, status) VALUES (?, ?, ?) RETURNING " + TaskRowMapper.COLUMNS;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, task.title());
            statement.setString(2, task.description());
            statement.setString(3, task.status().wire());
            return single(statement).orElseThrow(() -> new SQLException("INSERT ... RETURNING gave no row"));
        }
    }

    /** Applies only the fields the patch carries; empty when no task has that id. */
    public Optional<Task> update(long id, TaskPatch patch) throws SQLException {
        var sets = new ArrayList<String>();
        patch.title().ifPresent(t -> sets.add("title = ?"));
        if (patch.touchesDescription()) {
            sets.add("description = ?");
        }
        patch.status().ifPresent(s -> sets.add("status = ?"));
        sets.add("updated_at = now()");
        String sql = "UPDATE tasks SET " + String.join(", ", sets) + " WHERE id = ? RETURNING " + TaskRowMapper.COLUMNS;
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
            statement.setLong(index, id);
            return single(statement);
        }
    }

    public boolean delete(long id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("DELETE FROM tasks WHERE id = ?")) {
            statement.setLong(1, id);
            return statement.executeUpdate() == 1;
        }
    }

    private static Optional<Task> single(PreparedStatement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next() ? Optional.of(TaskRowMapper.map(rows)) : Optional.empty();
        }
    }
}
