package io.stackctl.secrets;

import io.stackctl.stack.CredentialFiles;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Stack;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The app's database credential: one of its role's two logins (taskmanager_app, taskmanager_app_2) and its password.
 * PostgreSQL keeps one password per role, so a rotation moves the replicas to the other login with a new password;
 * both act as the role that owns the schema (compose/db/ensure-roles.sh).
 */
final class DatabaseLogins implements RotatedCredential {

    private final CredentialFiles files;

    DatabaseLogins(Stack stack) {
        this.files = new CredentialFiles(stack.files());
    }

    @Override
    public String secret() {
        return "db";
    }

    @Override
    public String service() {
        return Stack.DB;
    }

    @Override
    public String fileInContainer() {
        return "/run/stack-secrets/app-logins";
    }

    @Override
    public List<String> applyCommand() {
        return List.of("bash", "/stack/db/ensure-roles.sh");
    }

    @Override
    public String current(EnvFile env) {
        return id(env.appDatabaseLogin(), env.get(EnvFile.APP_DB_SECRET).orElse(""));
    }

    @Override
    public List<String> leftOpen(EnvFile env) {
        return files.databaseLogins().keySet().stream()
                .filter(login -> !login.equals(env.appDatabaseLogin()))
                .toList();
    }

    @Override
    public String openBeside(EnvFile env, String password) {
        String login = env.appDatabaseLogin();
        String next = CredentialFiles.otherLogin(login);
        Map<String, String> open = new LinkedHashMap<>();
        open.put(login, env.get(EnvFile.APP_DB_SECRET).orElse(""));
        open.put(next, password);
        files.writeDatabaseLogins(open);
        return id(next, password);
    }

    @Override
    public void declare(EnvFile env, String password) {
        env.put(EnvFile.APP_DB_LOGIN, CredentialFiles.otherLogin(env.appDatabaseLogin()));
        env.put(EnvFile.APP_DB_SECRET, password);
    }

    @Override
    public void closeOthers(EnvFile env) {
        files.writeDatabaseLogins(
                Map.of(env.appDatabaseLogin(), env.get(EnvFile.APP_DB_SECRET).orElse("")));
    }

    private static String id(String login, String password) {
        return login + " " + AdminRotation.fingerprint(password);
    }
}
