package io.stackctl.health;

import io.stackctl.engine.Engine;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A replica's probe made inside its own container (bash's /dev/tcp, as its healthcheck does), for replicas whose
 * addresses this host cannot reach: on Swarm they live on an overlay network. Same answer shape as {@link HttpProbe}.
 */
public final class ExecProbe {

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3})");
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private ExecProbe() {}

    /**
     * An operator call from inside the replica, with the operator token the replica itself was given (its
     * {@code OPS_TOKEN}, or the file {@code OPS_TOKEN_FILE} names on Swarm): the token never enters the exec's argv.
     */
    public static HttpProbe.Result operatorRequest(Engine engine, String containerId, String method, String path) {
        return request(
                engine,
                containerId,
                method,
                path,
                "Authorization: Bearer ${OPS_TOKEN:-$(cat \"${OPS_TOKEN_FILE:-/dev/null}\")}\\r\\n");
    }

    public static HttpProbe.Result request(Engine engine, String containerId, String method, String path) {
        return request(engine, containerId, method, path, "");
    }

    private static HttpProbe.Result request(
            Engine engine, String containerId, String method, String path, String headers) {
        String target = "exec:" + containerId.substring(0, Math.min(12, containerId.length())) + path;
        long start = System.nanoTime();
        try {
            var result = engine.exec(
                    containerId,
                    TIMEOUT,
                    "bash",
                    "-c",
                    "exec 3<>/dev/tcp/127.0.0.1/" + ReplicaHealth.APP_PORT + " && printf \"" + method + " " + path
                            + " HTTP/1.0\\r\\n" + headers + "Content-Length: 0\\r\\n\\r\\n\" >&3 && head -n 1 <&3");
            double millis = (System.nanoTime() - start) / 1e6;
            var status = STATUS_LINE.matcher(result.output());
            return status.find()
                    ? new HttpProbe.Result(target, Integer.parseInt(status.group(1)), millis, null)
                    : new HttpProbe.Result(
                            target,
                            0,
                            millis,
                            "no HTTP answer: " + result.output().strip());
        } catch (RuntimeException e) {
            return new HttpProbe.Result(target, 0, (System.nanoTime() - start) / 1e6, e.getMessage());
        }
    }
}
