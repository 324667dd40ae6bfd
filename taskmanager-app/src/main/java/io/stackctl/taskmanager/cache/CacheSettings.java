package io.stackctl.taskmanager.cache;

/** Where Redis is, the user and password to log in as, and how long a cached task or list lives. */
public record CacheSettings(String instanceId, String host, int port, String user, String password, int ttlSeconds) {

    /** Never prints the password. */
    @Override
    public String toString() {
        return "CacheSettings[" + user + "@" + host + ":" + port + ", ttl=" + ttlSeconds + "s]";
    }
}
