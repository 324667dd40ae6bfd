package io.stackctl.secrets;

import io.stackctl.stack.CredentialFiles;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Stack;
import java.util.List;

/** The app's Redis password: its ACL user (taskmanager_app) takes two passwords at once (compose/cache/start.sh). */
final class CachePasswords implements RotatedCredential {

    private final CredentialFiles files;

    CachePasswords(Stack stack) {
        this.files = new CredentialFiles(stack.files());
    }

    @Override
    public String secret() {
        return "redis";
    }

    @Override
    public String service() {
        return Stack.CACHE;
    }

    @Override
    public String fileInContainer() {
        return "/run/stack-secrets/app-passwords";
    }

    @Override
    public List<String> applyCommand() {
        return List.of("sh", "/stack/cache/ensure-users.sh");
    }

    @Override
    public String current(EnvFile env) {
        return AdminRotation.fingerprint(password(env));
    }

    @Override
    public List<String> leftOpen(EnvFile env) {
        return files.cachePasswords().stream()
                .filter(password -> !password.equals(password(env)))
                .map(AdminRotation::fingerprint)
                .toList();
    }

    @Override
    public String openBeside(EnvFile env, String password) {
        files.writeCachePasswords(List.of(password(env), password));
        return AdminRotation.fingerprint(password);
    }

    @Override
    public void declare(EnvFile env, String password) {
        env.put(EnvFile.CACHE_SECRET, password);
    }

    @Override
    public void closeOthers(EnvFile env) {
        files.writeCachePasswords(List.of(password(env)));
    }

    private static String password(EnvFile env) {
        return env.get(EnvFile.CACHE_SECRET).orElse("");
    }
}
