package io.stackctl.taskmanager.db;

/** What the connection pool needs: where PostgreSQL is, as whom, and how many connections this replica may hold. */
public record DatabaseSettings(String instanceId, String jdbcUrl, String user, String password, int poolSize) {

    /** Never prints the password. */
    @Override
    public String toString() {
        return "DatabaseSettings[" + user + "@" + jdbcUrl + ", pool=" + poolSize + "]";
    }
}
