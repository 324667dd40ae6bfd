package io.stackctl.taskmanager.db;

/**
 * What the connection pool needs: where PostgreSQL is, as whom, and how many connections this replica may hold.
 *
 * @param standbyJdbcUrl where list reads may go instead (a standby that has caught up), empty when they may not
 */
public record DatabaseSettings(
        String instanceId, String jdbcUrl, String user, String password, int poolSize, String standbyJdbcUrl) {

    public DatabaseSettings(String instanceId, String jdbcUrl, String user, String password, int poolSize) {
        this(instanceId, jdbcUrl, user, password, poolSize, "");
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "DatabaseSettings[" + user + "@" + jdbcUrl + ", pool=" + poolSize
                + (standbyJdbcUrl.isEmpty() ? "" : ", list reads from " + standbyJdbcUrl) + "]";
    }
}
