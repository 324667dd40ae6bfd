package io.stackctl.stack;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.util.List;
import java.util.Map;

/**
 * Settings that come from the shell environment first, then {@code compose/.env}, then the defaults the
 * compose file uses, so stackctl looks where compose looks.
 */
public record StackSettings(
        String bind,
        int httpPort,
        String appImage,
        String agentImage,
        boolean authRequired,
        String adminUsername,
        int dbPoolSize,
        String postgresImage,
        String redisImage,
        String nginxImage,
        String jreImage) {

    public static final String DEFAULT_APP_IMAGE = "stackctl/taskmanager-app:latest";
    public static final String DEFAULT_AGENT_IMAGE = "stackctl/upstream-agent:latest";
    /** The Java runtime image the app and agent images are built on (compose.yaml's default). */
    public static final String DEFAULT_JRE_IMAGE = "eclipse-temurin:25-jre";

    public static StackSettings resolve(Map<String, String> environment, EnvFile envFile) {
        return new StackSettings(
                setting("STACK_BIND", "127.0.0.1", environment, envFile),
                Integer.parseInt(setting("STACK_HTTP_PORT", "8080", environment, envFile)),
                setting("APP_IMAGE", DEFAULT_APP_IMAGE, environment, envFile),
                setting("AGENT_IMAGE", DEFAULT_AGENT_IMAGE, environment, envFile),
                !setting("AUTH_MODE", "required", environment, envFile).equals("off"),
                setting("ADMIN_USERNAME", "admin", environment, envFile),
                poolSize(setting(
                        "DB_POOL_SIZE", Integer.toString(ConnectionBudget.DEFAULT_POOL_SIZE), environment, envFile)),
                setting("POSTGRES_IMAGE", "postgres:15", environment, envFile),
                setting("REDIS_IMAGE", "redis:7", environment, envFile),
                setting("NGINX_IMAGE", "nginx:1.27", environment, envFile),
                setting("JRE_IMAGE", DEFAULT_JRE_IMAGE, environment, envFile));
    }

    /** The images the stack's services run: a registry's, or the air-gapped stand-ins compose/.env names. */
    public List<String> serviceImages() {
        return List.of(postgresImage, redisImage, nginxImage, appImage);
    }

    private static int poolSize(String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "DB_POOL_SIZE must be a whole number, got '" + value + "'",
                    "fix it in compose/.env (the app takes 1 to 200; default 10)");
        }
    }

    public static String setting(String key, String fallback, Map<String, String> environment, EnvFile envFile) {
        String fromShell = environment.get(key);
        if (fromShell != null && !fromShell.isBlank()) {
            return fromShell;
        }
        return envFile.get(key).orElse(fallback);
    }

    /** The address a client on this host uses to reach nginx. */
    public String baseUrl() {
        String host = bind.equals("0.0.0.0") ? "127.0.0.1" : bind;
        return "http://" + host + ":" + httpPort;
    }
}
