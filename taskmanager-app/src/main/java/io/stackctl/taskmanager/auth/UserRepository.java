package io.stackctl.taskmanager.auth;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;
import javax.sql.DataSource;

/** Plain SQL over {@code users}. */
public final class UserRepository {

    private static final String COLUMNS = "id, username, email, role, created_at, password_hash";
    /** PostgreSQL's unique_violation. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;

    public UserRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A user with their password hash, for a login. */
    public record Stored(User user, String passwordHash) {}

    public Optional<Stored> findByUsername(String username) throws SQLException {
        return one("SELECT " + COLUMNS + " FROM users WHERE username = ?", username);
    }

    public Optional<User> find(long id) throws SQLException {
        return one("SELECT " + COLUMNS + " FROM users WHERE id = ?", id).map(Stored::user);
    }

    /** Throws {@link Taken} naming the field when the username or the email is already registered. */
    public User insert(String username, String email, String passwordHash, Role role) throws SQLException {
        try {
            return one(
                            "INSERT INTO users (username, email, password_hash, role) VALUES (?, ?, ?, ?) RETURNING "
                                    + COLUMNS,
                            username,
                            email,
                            passwordHash,
                            role.wire())
                    .orElseThrow(() -> new SQLException("INSERT ... RETURNING gave no row"))
                    .user();
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new Taken(e.getMessage().contains("idx_users_email") ? "email" : "username");
            }
            throw e;
        }
    }

    /**
     * Makes {@code username} an admin with this password hash, creating it when absent. Every replica does this at
     * start, so it must be safe to run at once: the insert is skipped on conflict and the update is idempotent.
     */
    public void ensureAdmin(String username, String passwordHash) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO users (username, email, password_hash, role) VALUES (?, ?, ?, 'admin')"
                                + " ON CONFLICT (username) DO NOTHING");
                PreparedStatement update = connection.prepareStatement(
                        "UPDATE users SET password_hash = ?, role = 'admin' WHERE username = ?")) {
            insert.setString(1, username);
            insert.setString(2, username + "@localhost");
            insert.setString(3, passwordHash);
            if (insert.executeUpdate() == 0) {
                update.setString(1, passwordHash);
                update.setString(2, username);
                update.executeUpdate();
            }
        }
    }

    private Optional<Stored> one(String sql, Object... values) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                String role = row.getString("role");
                var user = new User(
                        row.getLong("id"),
                        row.getString("username"),
                        row.getString("email"),
                        Role.fromWire(role)
                                .orElseThrow(() -> new SQLException("unknown role '" + role + "' in users table")),
                        row.getObject("created_at", OffsetDateTime.class).toInstant(),
                        User.credentialOf(row.getString("password_hash")));
                return Optional.of(new Stored(user, row.getString("password_hash")));
            }
        }
    }

    /** The username or email of a registration is already someone's. */
    public static final class Taken extends RuntimeException {
        private final String field;

        Taken(String field) {
            super(field + " taken", null, false, false);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }
}
