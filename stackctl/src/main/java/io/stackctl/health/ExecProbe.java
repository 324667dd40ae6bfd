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

    /** The operator token the replica itself was given, expanded inside it, so it never enters the exec's argv. */
    private static final String OPERATOR_HEADER =
            "Authorization: Bearer ${OPS_TOKEN:-$(cat \"${OPS_TOKEN_FILE:-/dev/null}\")}\\r\\n";

    private ExecProbe() {}

    /**
     * An operator call from inside the replica, with the operator token the replica itself was given (its
     * {@code OPS_TOKEN}, or the file {@code OPS_TOKEN_FILE} names on Swarm): the token never enters the exec's argv.
     */
    public static HttpProbe.Result operatorRequest(Engine engine, String containerId, String method, String path) {
        return request(engine, containerId, method, path, OPERATOR_HEADER);
    }

    /**
     * As {@link #operatorRequest} for a GET, keeping the body: HTTP/1.0, so the replica closes the connection once it
     * has answered and the whole answer is the exec's output.
     */
    public static HttpProbe.Answer operatorAnswer(Engine engine, String containerId, String path) {
        try {
            var result = exchange(engine, containerId, "GET", path, OPERATOR_HEADER, "cat");
            String answer = result.output();
            var status = STATUS_LINE.matcher(answer);
            int headersEnd = answer.indexOf("\r\n\r\n");
            if (!status.lookingAt() || headersEnd < 0) {
                return new HttpProbe.Answer(
                        0, "", "no HTTP answer: " + answer.lines().findFirst().orElse(""));
            }
            return new HttpProbe.Answer(Integer.parseInt(status.group(1)), answer.substring(headersEnd + 4), null);
        } catch (RuntimeException e) {
            return new HttpProbe.Answer(0, "", e.getMessage());
        }
    }

    public static HttpProbe.Result request(Engine engine, String containerId, String method, String path) {
        return request(engine, containerId, method, path, "");
    }

    private static HttpProbe.Result request(
            Engine engine, String containerId, String method, String path, String headers) {
        String target = "exec:" + containerId.substring(0, Math.min(12, containerId.length())) + path;
        long start = System.nanoTime();
        try {
            var result = exchange(engine, containerId, method, path, headers, "head -n 1");
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

    /** One HTTP/1.0 request to the replica's port from inside it, with bash's /dev/tcp; {@code reader} takes the answer. */
    private static Engine.ExecResult exchange(
            Engine engine, String containerId, String method, String path, String headers, String reader) {
        return engine.exec(
                containerId,
                TIMEOUT,
                "bash",
                "-c",
                "exec 3<>/dev/tcp/127.0.0.1/" + ReplicaHealth.APP_PORT + " && printf \"" + method + " " + path
                        + " HTTP/1.0\\r\\n" + headers + "Content-Length: 0\\r\\n\\r\\n\" >&3 && " + reader + " <&3");
    }
}
