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
        boolean tls,
        int httpsPort,
        String appImage,
        String agentImage,
        String dbImage,
        boolean authRequired,
        String adminUsername,
        int dbPoolSize,
        String postgresImage,
        String redisImage,
        String nginxImage,
        String jreImage) {

    public static final String DEFAULT_APP_IMAGE = "stackctl/taskmanager-app:latest";
    public static final String DEFAULT_AGENT_IMAGE = "stackctl/upstream-agent:latest";
    /** POSTGRES_IMAGE with pgBackRest (compose/images/db), built beside the app image. */
    public static final String DEFAULT_DB_IMAGE = "stackctl/db:latest";
    /** The Java runtime image the app and agent images are built on (compose.yaml's default). */
    public static final String DEFAULT_JRE_IMAGE = "eclipse-temurin:25-jre";

    public static StackSettings resolve(Map<String, String> environment, EnvFile envFile) {
        return new StackSettings(
                setting("STACK_BIND", "127.0.0.1", environment, envFile),
                port("STACK_HTTP_PORT", "8080", environment, envFile),
                tls(setting("STACK_TLS", "on", environment, envFile)),
                port("STACK_HTTPS_PORT", "8443", environment, envFile),
                setting("APP_IMAGE", DEFAULT_APP_IMAGE, environment, envFile),
                setting("AGENT_IMAGE", DEFAULT_AGENT_IMAGE, environment, envFile),
                setting("DB_IMAGE", DEFAULT_DB_IMAGE, environment, envFile),
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

    private static int port(String key, String fallback, Map<String, String> environment, EnvFile envFile) {
        String value = setting(key, fallback, environment, envFile).strip();
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new StackctlException(
                ExitCodes.USAGE,
                key + " must be a port number (1 to 65535), got '" + value + "'",
                "fix it in compose/.env or the environment");
    }

    private static boolean tls(String value) {
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "1", "yes" -> true;
            case "off", "false", "0", "no" -> false;
            default ->
                throw new StackctlException(
                        ExitCodes.USAGE,
                        "STACK_TLS must be on or off, got '" + value + "'",
                        "fix it in compose/.env: on (the default) serves HTTPS and redirects plain HTTP to it");
        };
    }

    /** An on/off setting ({@code fallback} when unset); exit 2 naming it for anything else, with how to set it. */
    public static boolean onOff(
            String key, boolean fallback, Map<String, String> environment, EnvFile envFile, String howToSet) {
        String value =
                setting(key, fallback ? "on" : "off", environment, envFile).strip();
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            case "" -> fallback;
            default ->
                throw new StackctlException(
                        ExitCodes.USAGE,
                        key + " is '" + value + "', which is neither on nor off",
                        "set " + key + "=on or off in compose/.env, or use " + howToSet);
        };
    }

    public static String setting(String key, String fallback, Map<String, String> environment, EnvFile envFile) {
        String fromShell = environment.get(key);
        if (fromShell != null && !fromShell.isBlank()) {
            return fromShell;
        }
        return envFile.get(key).orElse(fallback);
    }

    /** The address a client on this host uses to reach nginx: HTTPS unless STACK_TLS=off. */
    public String baseUrl() {
        return tls ? "https://" + clientHost() + ":" + httpsPort : plainUrl();
    }

    /** nginx's plain HTTP port: with TLS on it answers only /nginx-health and redirects the rest to HTTPS. */
    public String plainUrl() {
        return "http://" + clientHost() + ":" + httpPort;
    }

    /** The address of nginx a client on this host connects to. */
    public String clientAddress() {
        return bind.equals("0.0.0.0") ? "127.0.0.1" : bind;
    }

    /** {@link #clientAddress()} as a URL writes it: an IPv6 address in brackets. */
    private String clientHost() {
        String address = clientAddress();
        return address.contains(":") ? "[" + address + "]" : address;
    }
}
