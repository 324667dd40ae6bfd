package io.stackctl.stack;

import java.util.List;
import java.util.Map;

/**
 * The standby profile: a second PostgreSQL node, db-standby, cloned from the primary and streaming from it on a
 * replication slot (compose/db/replication.sh). On while compose/.env (or the shell) says {@code DB_STANDBY=on}, which
 * {@code up --standby} writes; {@code REPLICAS_SYNC} chooses whether each commit waits for the standby (on: no
 * acknowledged write is lost when the primary dies; writes fail while no standby answers) or not (off: writes never
 * wait; a failover loses what the standby had not received, the lag {@code status} shows).
 */
public final class Standby {

    public static final String SETTING = "DB_STANDBY";

    public static final String SYNC_SETTING = "REPLICAS_SYNC";

    /** List reads that missed the cache go to the standby once it has caught up (the app checks, per read). */
    public static final String READS_SETTING = "READS_FROM_STANDBY";

    /** compose's profile of the standby's service. */
    public static final String PROFILE = "standby";

    public static final String SERVICE = "db-standby";

    /** compose.yaml's volume for the standby's data. */
    public static final String VOLUME = "db-standby-data";

    /** Every node the cluster may have, the founding one ({@link Stack#DB}) first. */
    public static final List<String> NODES = List.of(Stack.DB, SERVICE);

    private Standby() {}

    /** True when the profile is on; exit 2 naming the setting for anything but on or off. */
    public static boolean enabled(Map<String, String> environment, EnvFile envFile) {
        return StackSettings.onOff(SETTING, false, environment, envFile, "bin/stackctl up --standby / --no-standby");
    }

    /** Synchronous unless REPLICAS_SYNC=off: losing no acknowledged write is the safe default. */
    public static boolean synchronous(Map<String, String> environment, EnvFile envFile) {
        return StackSettings.onOff(SYNC_SETTING, true, environment, envFile, "REPLICAS_SYNC=on or off");
    }

    /** Off unless asked: a standby that falls behind sends reads back to the primary, at a round trip's cost. */
    public static boolean readsFromStandby(Map<String, String> environment, EnvFile envFile) {
        return StackSettings.onOff(READS_SETTING, false, environment, envFile, "READS_FROM_STANDBY=on or off");
    }

    /** The nodes that run: db alone, or db and its standby. */
    public static List<String> nodes(boolean enabled) {
        return enabled ? NODES : List.of(Stack.DB);
    }
}
