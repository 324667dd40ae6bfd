package io.stackctl.taskmanager.cache;

/** Where Redis is, its password, and how long a cached task or list lives. */
public record CacheSettings(String instanceId, String host, int port, String password, int ttlSeconds) {

    /** Never prints the password. */
    @Override
    public String toString() {
        return "CacheSettings[" + host + ":" + port + ", ttl=" + ttlSeconds + "s]";
    }
}
