package io.stackctl.health;

/** The three probes of one app replica, made on the replica itself (not through nginx). */
public record ReplicaHealth(
        String name,
        String address,
        boolean inUpstream,
        HttpProbe.Result live,
        HttpProbe.Result ready,
        HttpProbe.Result health) {

    /** The port the app listens on in every replica (compose.yaml's PORT). */
    public static final int APP_PORT = 8080;

    /** A replica's own address for {@code path}, bypassing nginx. */
    public static String url(String ip, String path) {
        return "http://" + ip + ":" + APP_PORT + path;
    }

    public boolean ok() {
        return live.ok() && ready.ok() && health.ok();
    }
}
