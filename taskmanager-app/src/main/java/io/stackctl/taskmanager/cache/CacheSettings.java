package io.stackctl.taskmanager.cache;

/**
 * Where Redis is, the user and password to log in as, and how long a cached task or list lives; with {@code
 * tlsCaFile}, Redis is reached over TLS and its certificate must come from that CA and name {@code host}.
 */
public record CacheSettings(
        String instanceId, String host, int port, String user, String password, int ttlSeconds, String tlsCaFile) {

    public CacheSettings(String instanceId, String host, int port, String user, String password, int ttlSeconds) {
        this(instanceId, host, port, user, password, ttlSeconds, "");
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "CacheSettings[" + user + "@" + host + ":" + port + (tlsCaFile.isEmpty() ? "" : " over TLS") + ", ttl="
                + ttlSeconds + "s]";
    }
}
