package io.stackctl.stack;

import io.stackctl.health.HttpProbe;
import io.stackctl.prometheus.PrometheusApi;
import io.stackctl.prometheus.RunMarks;
import io.stackctl.prometheus.RunRecorder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The monitoring profile: Prometheus with the stack's alert rules, and exporters for PostgreSQL, Redis, the data
 * volumes' disks and nginx's answers by status (the
 * services of compose/compose.yaml in compose's profile "monitoring"). On while compose/.env (or the shell) says
 * {@code MONITORING=on}, which {@code up --monitoring} writes and {@code up --no-monitoring} takes away; every compose
 * command stackctl runs then carries {@code --profile monitoring}, as does the prefix {@code status} prints.
 */
public final class Monitoring {

    public static final String SETTING = "MONITORING";

    /** compose's profile of the services in compose/compose.yaml that only run with it. */
    public static final String PROFILE = "monitoring";

    public static final String PROMETHEUS = "prometheus";

    /** The profile's services. */
    public static final List<String> SERVICES =
            List.of(PROMETHEUS, "alertmanager", "db-exporter", "cache-exporter", "volume-exporter", "edge-exporter");

    private Monitoring() {}

    /** Prometheus' API as this host reaches it: published on loopback, at PROMETHEUS_PORT (default 9090). */
    public static String prometheusUrl(Map<String, String> environment, EnvFile envFile) {
        return "http://127.0.0.1:"
                + StackSettings.setting("PROMETHEUS_PORT", "9090", environment, envFile)
                        .strip();
    }

    /**
     * What records a bench's or a drill's run in the profile's Prometheus (a mark while it runs, the replicas' figures
     * after); one that records nothing when the profile is off, or on Swarm, where Prometheus publishes no port for
     * this host to read it on.
     */
    public static RunRecorder runRecorder(Stack stack) {
        EnvFile env = EnvFile.load(stack.files().envFile());
        var marks = new RunMarks(stack.files().runMarksDir());
        if (!enabled(stack.environment(), env) || stack.swarm()) {
            return RunRecorder.off(marks);
        }
        return new RunRecorder(marks, Optional.of(prometheus(stack)));
    }

    /** The stack's Prometheus, read through the port compose publishes on this host's loopback. */
    public static PrometheusApi prometheus(Stack stack) {
        return new PrometheusApi(
                prometheusUrl(stack.environment(), EnvFile.load(stack.files().envFile())),
                new HttpProbe(Duration.ofSeconds(5)));
    }

    /**
     * Every running Prometheus of the stack reads its configuration and rule files again (SIGHUP); one started since
     * read them at start, and a second read changes nothing. The signal is sent from inside the container, not with the
     * engine's kill: Docker 20.10 marks a container that got any signal through {@code docker kill} as stopped by hand,
     * and its restart policy (unless-stopped) then left it down after the next engine restart (CI: health failed after
     * the engine restart). Returns "container: why" for each that did not take it.
     */
    public static List<String> reloadPrometheus(Stack stack) {
        List<String> refused = new java.util.ArrayList<>();
        for (var prometheus : stack.engine().containers(stack.project(), PROMETHEUS)) {
            if (prometheus.running()) {
                var sent = stack.engine().exec(prometheus.id(), Duration.ofSeconds(10), "bash", "-c", "kill -HUP 1");
                if (sent.exitCode() != 0) {
                    refused.add(prometheus.name() + ": " + sent.output().strip());
                }
            }
        }
        return refused;
    }

    /** True when the profile is on; exit 2 naming the setting for anything but on or off. */
    public static boolean enabled(Map<String, String> environment, EnvFile envFile) {
        return StackSettings.onOff(
                SETTING, false, environment, envFile, "bin/stackctl up --monitoring / --no-monitoring");
    }
}
