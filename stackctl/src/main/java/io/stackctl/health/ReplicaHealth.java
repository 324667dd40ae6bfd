package io.stackctl.health;

import io.stackctl.engine.ServiceContainer;

/** The three probes of one app replica, made directly on its frontend address. */
public record ReplicaHealth(
        String name,
        String address,
        boolean inUpstream,
        HttpProbe.Result live,
        HttpProbe.Result ready,
        HttpProbe.Result health) {

    public static ReplicaHealth probe(HttpProbe probe, ServiceContainer replica, String ip, boolean inUpstream) {
        String base = "http://" + ip + ":8080";
        return new ReplicaHealth(
                replica.name(),
                ip,
                inUpstream,
                probe.get(base + "/live"),
                probe.get(base + "/ready"),
                probe.get(base + "/health"));
    }

    public boolean ok() {
        return live.ok() && ready.ok() && health.ok();
    }
}
