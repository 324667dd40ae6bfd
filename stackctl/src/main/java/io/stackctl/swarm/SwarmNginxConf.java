package io.stackctl.swarm;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.util.regex.Pattern;

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

    public static String from(String composeConf) {
        var upstream = UPSTREAM_BLOCK.matcher(composeConf);
        if (!upstream.find() || !composeConf.contains(PROXY_PASS) || !composeConf.contains(CONNECT_TIMEOUT)) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "nginx/nginx.conf lacks the 'upstream app { ... }' block, '" + PROXY_PASS + "' or '"
                            + CONNECT_TIMEOUT + "' that the Swarm configuration is made from",
                    "restore them in nginx/nginx.conf (git diff nginx/nginx.conf shows what changed)");
        }
        String resolver =
                "\n    # Swarm: the replicas are tasks.app in Docker's DNS (127.0.0.11), looked up again at most every second.\n"
                        + "    resolver 127.0.0.11 valid=1s ipv6=off;\n";
        return upstream.replaceFirst(java.util.regex.Matcher.quoteReplacement(resolver))
                .replace(PROXY_PASS, "set $replicas tasks.app;\n            proxy_pass http://$replicas:8080;")
                // A crashed task's address can stay in the 1 s DNS cache; a short connect timeout moves on to the
                // next replica at once instead of holding the request a second (a healthy one connects in < 1 ms).
                .replace(CONNECT_TIMEOUT, "proxy_connect_timeout 300ms;");
    }
}
