package io.stackctl.nginx;

import io.stackctl.health.ReplicaHealth;
import java.util.List;

/**
 * Renders the members of nginx's {@code upstream app} block from the replicas that should get traffic.
 * Addresses, not names: a reload never fails on DNS, and a replica is in or out exactly when we say so.
 */
public final class UpstreamRenderer {

    /**
     * Passive health: a replica that fails twice sits out for 10 s, then gets tried again. Longer than the agent takes
     * to drop a dead replica on a starved host (measured up to 4-5 s), so nginx does not try it again before that: a
     * crashed replica's address, until its container runs again, costs each request sent to it the whole connect
     * timeout (CI saw one 5.2 s after a kill, with 5 s here). A re-render's reload clears the count, so a replica the
     * agent puts back serves at once.
     */
    public static final String PASSIVE_HEALTH = "max_fails=2 fail_timeout=10s";

    static final int APP_PORT = ReplicaHealth.APP_PORT;

    private UpstreamRenderer() {}

    public record Member(String name, String ip) {}

    public static String render(String project, List<Member> members) {
        var text = new StringBuilder()
                .append("# Rendered by stackctl for project ")
                .append(project)
                .append(": ")
                .append(members.size())
                .append(members.size() == 1 ? " replica" : " replicas")
                .append(". Do not edit: stackctl and the upstream agent rewrite it.\n");
        if (members.isEmpty()) {
            // nginx needs one server; a down one answers 502 instead of refusing to load.
            text.append("server 127.0.0.1:9 down;\n");
        }
        for (Member member : members) {
            text.append("server ")
                    .append(member.ip())
                    .append(':')
                    .append(APP_PORT)
                    .append(' ')
                    .append(PASSIVE_HEALTH)
                    .append("; # ")
                    .append(member.name())
                    .append('\n');
        }
        return text.toString();
    }

    /** The members a rendered file routes to, each with the replica's name it was rendered with. */
    public static List<Member> parse(String rendered) {
        return rendered.lines()
                .map(String::strip)
                .filter(line -> line.startsWith("server ") && !line.contains(" down;"))
                .map(line -> new Member(
                        line.contains("# ")
                                ? line.substring(line.indexOf("# ") + 2).strip()
                                : "",
                        line.substring("server ".length(), line.indexOf(':'))))
                .toList();
    }

    /** The addresses a rendered file routes to, for status: which replicas are in rotation. */
    public static List<String> members(String rendered) {
        return rendered.lines()
                .map(String::strip)
                .filter(line -> line.startsWith("server ") && !line.contains(" down;"))
                .map(line -> line.substring("server ".length(), line.indexOf(':')))
                .toList();
    }
}
