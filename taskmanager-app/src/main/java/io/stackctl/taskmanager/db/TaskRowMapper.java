package io.stackctl.taskmanager.db;

import io.stackctl.taskmanager.task.Task;
import io.stackctl.taskmanager.task.TaskStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;

/** One row of {@code tasks} to a {@link Task}. */
final class TaskRowMapper {

    static final String COLUMNS = "id, title, description, status, created_at, updated_at, owner_id";

    private TaskRowMapper() {}

    static Task map(ResultSet row) throws SQLException {
        String status = row.getString("status");
        return new Task(
                row.getLong("id"),
                row.getString("title"),
                row.getString("description"),
                TaskStatus.fromWire(status)
                        .orElseThrow(() -> new SQLException("unknown status '" + status + "' in tasks table")),
                row.getObject("created_at", OffsetDateTime.class).toInstant(),
                row.getObject("updated_at", OffsetDateTime.class).toInstant(),
                row.getLong("owner_id"));
    }
}
