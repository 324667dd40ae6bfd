package io.stackctl.replication;

import io.stackctl.core.ByteSize;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Stack;
import io.stackctl.stack.Standby;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The db nodes as they answered, with the one the primary record names: what {@code status} and {@code health} show
 * and what a failover checks before it moves anything.
 */
public final class Replication {

    private final String recorded;
    private final boolean standbyOn;
    private final boolean synchronous;
    private final List<NodeState> nodes;

    Replication(String recorded, boolean standbyOn, boolean synchronous, List<NodeState> nodes) {
        this.recorded = recorded;
        this.standbyOn = standbyOn;
        this.synchronous = synchronous;
        this.nodes = List.copyOf(nodes);
    }

    /** Asks every node that is configured or has a container. */
    public static Replication of(Stack stack) {
        var env = EnvFile.load(stack.files().envFile());
        boolean on = Standby.enabled(stack.environment(), env);
        List<NodeState> nodes = new ArrayList<>();
        for (String node : Standby.NODES) {
            Optional<ServiceContainer> container =
                    stack.engine().containers(stack.project(), node).stream().findFirst();
            if (container.isPresent() || Standby.nodes(on).contains(node)) {
                nodes.add(ReplicationQuery.ask(stack.engine(), node, container));
            }
        }
        return new Replication(
                stack.primaryRecord().primary(), on, Standby.synchronous(stack.environment(), env), nodes);
    }

    public String recordedPrimary() {
        return recorded;
    }

    public boolean synchronous() {
        return synchronous;
    }

    public List<NodeState> nodes() {
        return nodes;
    }

    public Optional<NodeState> node(String name) {
        return nodes.stream().filter(n -> n.node().equals(name)).findFirst();
    }

    /** What the primary says of {@code standby}'s stream, when it is connected. */
    public Optional<NodeState.Feed> feed(String standby) {
        return node(recorded).stream()
                .flatMap(primary -> primary.feeds().stream())
                .filter(feed -> feed.node().equals(standby))
                .findFirst();
    }

    /** The primary's slot for {@code standby}. */
    public Optional<NodeState.Slot> slot(String standby) {
        String name = standby.replace('-', '_');
        return node(recorded).stream()
                .flatMap(primary -> primary.slots().stream())
                .filter(slot -> slot.name().equals(name))
                .findFirst();
    }

    /** Everything that is wrong, each with what to do; empty when the cluster is as the record says. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        Optional<NodeState> primary = node(recorded);
        String other = Standby.NODES.stream()
                .filter(n -> !n.equals(recorded))
                .findFirst()
                .orElse(Stack.DB);
        if (primary.isEmpty() || !primary.get().answered()) {
            problems.add("the primary db node " + recorded + " is "
                    + primary.map(NodeState::role).orElse("missing") + ": writes fail"
                    + (standbyOn
                            ? "; the upstream agent fails over to " + other + " once it is sure " + recorded
                                    + " is gone, or now: bin/stackctl failover --to " + other
                            : "; bin/stackctl up starts it"));
        } else if (primary.get().inRecovery()) {
            problems.add(recorded + " is named the primary but is still a standby: a failover has not finished"
                    + " (its health check promotes it within seconds; bin/stackctl failover --to " + recorded
                    + " finishes it now)");
        }
        for (NodeState node : nodes) {
            if (node.node().equals(recorded)) {
                continue;
            }
            if (node.primary()) {
                problems.add(node.node() + " answers as a primary, but the record names " + recorded
                        + ": it fences itself at its next health check (or: docker stop "
                        + node.container().orElse(node.node()) + ")");
            } else if (node.answered()
                    && feed(node.node())
                            .filter(f -> f.state().equals("streaming"))
                            .isEmpty()) {
                problems.add(node.node() + " is a standby but is not streaming from " + recorded
                        + " (its receiver: " + node.receiver().orElse("none") + "): see stackctl logs "
                        + node.node());
            } else if (!node.answered() && standbyOn) {
                problems.add("the standby " + node.node() + " is " + node.role() + ": a failover has nowhere to go"
                        + " (bin/stackctl up starts it)");
            }
        }
        boolean waiting = primary.filter(NodeState::primary)
                .map(p -> !p.synchronousNames().isEmpty())
                .orElse(false);
        boolean answering = primary.stream()
                .flatMap(p -> p.feeds().stream())
                .anyMatch(f -> f.state().equals("streaming") && !f.sync().equals("async"));
        if (waiting && !answering) {
            problems.add("commits wait for a synchronous standby (REPLICAS_SYNC=on) and none answers: every write"
                    + " fails with 503 until one does (bin/stackctl up starts it; REPLICAS_SYNC=off trades that for"
                    + " losing the lag at a failover)");
        }
        return problems;
    }

    /** One row per node: NODE, ROLE, STATE, LAG, SLOT. */
    public List<List<String>> rows() {
        List<List<String>> rows = new ArrayList<>();
        for (NodeState node : nodes) {
            if (node.node().equals(recorded) || node.primary()) {
                String state = !node.answered()
                        ? "-"
                        : node.synchronousNames().isEmpty() ? "commits do not wait" : "commits wait for 1 standby";
                rows.add(List.of(node.node(), node.role(), state, "-", "-"));
                continue;
            }
            var feed = feed(node.node());
            String state = feed.map(f -> f.state() + " (" + f.sync() + ")")
                    .orElse(node.receiver().orElse(node.answered() ? "not streaming" : "-"));
            String lag = feed.map(f -> ByteSize.human(f.lagBytes()) + ", %.1fs".formatted(f.lagSeconds()))
                    .orElse("-");
            String slot = slot(node.node())
                    .map(s -> (s.active() ? "active" : "inactive")
                            + (s.walStatus().isEmpty() ? "" : ", " + s.walStatus()))
                    .orElse("none");
            rows.add(List.of(node.node(), node.role(), state, lag, slot));
        }
        return rows;
    }

    /** The same, for -o json. */
    public Map<String, Object> json() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("primary", recorded);
        doc.put("synchronous", synchronous);
        List<Map<String, Object>> list = new ArrayList<>();
        for (NodeState node : nodes) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("node", node.node());
            one.put("role", node.role());
            one.put("timeline", node.timeline());
            one.put("lsn", node.lsn());
            feed(node.node()).ifPresent(f -> {
                one.put("state", f.state());
                one.put("sync", f.sync());
                one.put("lag_bytes", f.lagBytes());
                one.put("lag_seconds", f.lagSeconds());
            });
            slot(node.node())
                    .ifPresent(s -> one.put("slot", Map.of("active", s.active(), "wal_status", s.walStatus())));
            list.add(one);
        }
        doc.put("nodes", list);
        doc.put("problems", problems());
        return doc;
    }
}
