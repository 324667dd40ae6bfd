package io.stackctl.taskmanager.auth;

import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;

/** Registration and login over {@link UserRepository} and {@link PasswordHasher}. */
public final class Accounts {

    /** Names a registration may not take: the owner of the old tasks, and the usual operator names. */
    static final Set<String> RESERVED = Set.of("default", "admin", "root", "administrator", "system");

    private final UserRepository users;
    private final PasswordHasher hasher;
    private final AuthSettings settings;

    public Accounts(UserRepository users, PasswordHasher hasher, AuthSettings settings) {
        this.users = users;
        this.hasher = hasher;
        this.settings = settings;
    }

    /** Runs at start: the configured admin exists with the configured password. */
    public void ensureAdmin() throws SQLException {
        if (settings.adminPassword().isEmpty()) {
            return;
        }
        var existing = users.findByUsername(settings.adminUsername());
        if (existing.isPresent()
                && existing.get().user().role() == Role.ADMIN
                && hasher.matches(settings.adminPassword(), existing.get().passwordHash())) {
            return;
        }
        users.ensureAdmin(settings.adminUsername(), hasher.hash(settings.adminPassword()));
    }

    public boolean isReserved(String username) {
        return RESERVED.contains(username) || username.equals(settings.adminUsername());
    }

    /** A new user with the {@code user} role; throws {@link UserRepository.Taken} when the name or email is. */
    public User register(String username, String email, String password) throws SQLException {
        if (isReserved(username)) {
            throw new UserRepository.Taken("username");
        }
        return users.insert(username, email, hasher.hash(password), Role.USER);
    }

    /** The user when the password is theirs; empty for a wrong password and for an unknown name alike. */
    public Optional<User> login(String username, String password) throws SQLException {
        var stored = users.findByUsername(username);
        if (stored.isEmpty()) {
            hasher.matchesNobody(password);
            return Optional.empty();
        }
        return hasher.matches(password, stored.get().passwordHash())
                ? Optional.of(stored.get().user())
                : Optional.empty();
    }

    public Optional<User> find(long id) throws SQLException {
        return users.find(id);
    }
}
