package io.stackctl.swarm;

import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * nginx's configuration for Swarm, derived from {@code nginx/nginx.conf} so there is one to maintain. The compose
 * stack's upstream block (addresses rendered by stackctl and its agent) becomes Docker's DNS: {@code tasks.app}
 * lists the running, healthy replicas on the overlay network wherever Swarm placed them, and nginx looks it up
 * again at most every second. Each request opens its connection, so no idle keep-alive connection to a replica
 * that Swarm stops can be cut under a request; a replica that stopped accepting is skipped to the next address.
 */
public final class SwarmNginxConf {

    static final Pattern UPSTREAM_BLOCK = Pattern.compile("(?s)\\n    upstream app \\{.*?\\n    }\\n");
    static final String PROXY_PASS = "proxy_pass http://app;";
    static final String CONNECT_TIMEOUT = "proxy_connect_timeout 1s;";

    private SwarmNginxConf() {}

    /** nginx.conf: the upstream block becomes Docker's resolver. */
    public static String from(String composeConf) {
        var upstream = UPSTREAM_BLOCK.matcher(composeConf);
        if (!upstream.find()) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "nginx/nginx.conf lacks the 'upstream app { ... }' block that the Swarm configuration is made from",
                    "restore it in nginx/nginx.conf (git diff nginx/nginx.conf shows what changed)");
        }
        String resolver =
                "\n    # Swarm: the replicas are tasks.app in Docker's DNS (127.0.0.11), looked up again at most every second.\n"
                        + "    resolver 127.0.0.11 valid=1s ipv6=off;\n";
        return upstream.replaceFirst(java.util.regex.Matcher.quoteReplacement(resolver));
    }

    /** nginx/edge/proxy.conf: the way to the replicas is tasks.app, looked up by name. */
    public static String proxy(String proxyConf) {
        if (!proxyConf.contains(PROXY_PASS) || !proxyConf.contains(CONNECT_TIMEOUT)) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "nginx/edge/proxy.conf lacks '" + PROXY_PASS + "' or '" + CONNECT_TIMEOUT
                            + "' that the Swarm configuration is made from",
                    "restore them in nginx/edge/proxy.conf (git diff nginx shows what changed)");
        }
        return proxyConf
                .replace(PROXY_PASS, "set $replicas tasks.app;\nproxy_pass http://$replicas:8080;")
                // A crashed task's address can stay in the 1 s DNS cache; a short connect timeout moves on to the
                // next replica at once instead of holding the request a second (a healthy one connects in < 1 ms).
                .replace(CONNECT_TIMEOUT, "proxy_connect_timeout 300ms;");
    }

    /**
     * Writes Swarm's nginx folder from the repository's {@code nginx/}: {@code nginx.conf}, and {@code edge/} (the
     * servers as they are, proxy.conf by name).
     */
    public static void write(Path repoNginx, Path target) throws IOException {
        AtomicFiles.writeString(target.resolve("nginx.conf"), from(Files.readString(repoNginx.resolve("nginx.conf"))));
        Path edge = repoNginx.resolve("edge");
        try (Stream<Path> files = Files.walk(edge)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(file);
                Path relative = edge.relativize(file);
                AtomicFiles.writeString(
                        target.resolve("edge").resolve(relative.toString()),
                        relative.toString().equals("proxy.conf") ? proxy(text) : text);
            }
        }
    }
}
