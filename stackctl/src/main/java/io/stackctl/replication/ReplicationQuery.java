package io.stackctl.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Stack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Asks one db node's PostgreSQL for its {@link NodeState}, in one query, as stackctl's role (pg_monitor). */
final class ReplicationQuery {

    /** Short: a frozen node must not hold status for long; it is reported as not answering. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);

    /** pg_current_wal_lsn() fails during recovery, so each side of the CASE asks only what its role may. */
    static final String SQL = """
            SELECT json_build_object(
              'in_recovery', pg_is_in_recovery(),
              'timeline', (SELECT timeline_id FROM pg_control_checkpoint()),
              'lsn', CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text
                          ELSE pg_current_wal_lsn()::text END,
              'receiver', (SELECT status FROM pg_stat_wal_receiver),
              'sync_names', current_setting('synchronous_standby_names'),
              'feeds', CASE WHEN pg_is_in_recovery() THEN '[]'::json ELSE (
                SELECT coalesce(json_agg(json_build_object(
                  'node', r.application_name, 'state', r.state, 'sync', r.sync_state,
                  'lag_bytes', coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn), 0),
                  'lag_seconds', coalesce(extract(epoch FROM r.replay_lag), 0)) ORDER BY r.application_name), '[]')
                FROM pg_stat_replication r) END,
              'slots', (SELECT coalesce(json_agg(json_build_object(
                  'name', s.slot_name, 'active', s.active, 'wal_status', coalesce(s.wal_status, ''))
                  ORDER BY s.slot_name), '[]') FROM pg_replication_slots s))""";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReplicationQuery() {}

    static NodeState ask(Engine engine, String node, Optional<ServiceContainer> container) {
        if (container.isEmpty() || !container.get().running()) {
            return NodeState.down(node, container.map(ServiceContainer::name), false);
        }
        Engine.ExecResult answer;
        try {
            answer = engine.exec(
                    container.get().id(),
                    ANSWER_WITHIN,
                    "psql",
                    "-X",
                    "-A",
                    "-t",
                    "-q",
                    "-U",
                    Stack.OPERATIONS_USER,
                    "-d",
                    "postgres",
                    "-c",
                    SQL);
        } catch (RuntimeException e) {
            return NodeState.down(node, Optional.of(container.get().name()), true);
        }
        if (answer.exitCode() != 0) {
            return NodeState.down(node, Optional.of(container.get().name()), true);
        }
        return parse(node, container.get().name(), answer.output().strip());
    }

    /**
     * Waits on {@code primary} itself until {@code standby} streams from it: one exec that polls every 50 ms inside
     * PostgreSQL, not one exec (0.3 to 0.8 s on a busy engine) a poll.
     */
    static boolean awaitStreaming(Engine engine, ServiceContainer primary, String standby, Duration within) {
        long polls = Math.max(1, within.toMillis() / 50);
        String sql = "DO $$ BEGIN FOR i IN 1.." + polls + " LOOP"
                + " IF EXISTS (SELECT FROM pg_stat_replication WHERE application_name = '" + applicationName(standby)
                + "' AND state = 'streaming') THEN RETURN; END IF;"
                // pg_stat_replication names a standby through the backends' status, read once a transaction unless
                // cleared: without this the loop never saw one that connected after it began.
                + " PERFORM pg_stat_clear_snapshot(); PERFORM pg_sleep(0.05); END LOOP;"
                + " RAISE EXCEPTION 'not streaming'; END $$";
        try {
            return engine.exec(
                                    primary.id(),
                                    within.plusSeconds(2),
                                    "psql",
                                    "-X",
                                    "-q",
                                    "-v",
                                    "ON_ERROR_STOP=1",
                                    "-U",
                                    Stack.OPERATIONS_USER,
                                    "-d",
                                    "postgres",
                                    "-c",
                                    sql)
                            .exitCode()
                    == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static NodeState parse(String node, String container, String json) {
        try {
            JsonNode doc = JSON.readTree(json);
            List<NodeState.Feed> feeds = new ArrayList<>();
            for (JsonNode feed : doc.path("feeds")) {
                feeds.add(new NodeState.Feed(
                        nodeName(feed.path("node").asText()),
                        feed.path("state").asText(),
                        feed.path("sync").asText(),
                        feed.path("lag_bytes").asLong(),
                        feed.path("lag_seconds").asDouble()));
            }
            List<NodeState.Slot> slots = new ArrayList<>();
            for (JsonNode slot : doc.path("slots")) {
                slots.add(new NodeState.Slot(
                        slot.path("name").asText(),
                        slot.path("active").asBoolean(),
                        slot.path("wal_status").asText()));
            }
            String receiver = doc.path("receiver").asText("");
            return new NodeState(
                    node,
                    Optional.of(container),
                    true,
                    true,
                    doc.path("in_recovery").asBoolean(),
                    doc.path("timeline").asLong(),
                    doc.path("lsn").asText(""),
                    receiver.isEmpty() ? Optional.empty() : Optional.of(receiver),
                    doc.path("sync_names").asText(""),
                    List.copyOf(feeds),
                    List.copyOf(slots));
        } catch (java.io.IOException | RuntimeException e) {
            return NodeState.down(node, Optional.of(container), true);
        }
    }

    /** A standby's application name is its node's name with _ for - (compose/db/replication.sh). */
    static String nodeName(String applicationName) {
        return applicationName.replace('_', '-');
    }

    /** The name a node's WAL receiver gives the primary (its slot's: compose/db/replication.sh, slot_of). */
    static String applicationName(String node) {
        return node.replace('-', '_');
    }
}
