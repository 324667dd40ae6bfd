package io.stackctl.cli;

import io.stackctl.backup.InterruptedRestore;
import io.stackctl.backup.WalArchiving;
import io.stackctl.core.ExitCodes;
import io.stackctl.deploy.ReleaseHistory;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.health.HttpProbe;
import io.stackctl.health.ReplicaHealth;
import io.stackctl.postgres.PostgresContainer;
import io.stackctl.replication.Replication;
import io.stackctl.secrets.TokenKeysCheck;
import io.stackctl.stack.ConnectionBudget;
import io.stackctl.stack.Stack;
import io.stackctl.stack.StackLock;
import io.stackctl.tls.EdgeHealth;
import io.stackctl.tls.InternalTlsHealth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;

@Command(
        name = "health",
        description = "/live /ready /health of every replica and through nginx; exit 1 when anything is unhealthy.")
final class HealthCommand extends StackCommand {

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
            List<ServiceContainer> containers = stack.requireRunning();
            List<ReplicaHealth> replicas = stack.replicaHealth();
            HttpProbe.Result ready = stack.throughNginx("/ready");
            HttpProbe.Result health = stack.throughNginx("/health");
            List<String> problems = new java.util.ArrayList<>(
                    Stack.problems(containers, replicas, ready, stack.upstreamMembers(), stack::startingButPasses));
            var connections = connections(stack);
            connections
                    .filter(b -> !b.fits(replicas.size(), 0))
                    .ifPresent(
                            b -> problems.add("the replicas' pools may open more connections than PostgreSQL allows: "
                                    + b.describe(replicas.size()) + " (lower DB_POOL_SIZE or the replica count)"));
            if (!StackLock.heldByLiveProcess(stack.files().locksDir(), stack.project())) {
                new InterruptedRestore(stack, err())
                        .pending()
                        .ifPresent(r -> problems.add("the restore of " + r.backup() + " started " + r.startedAt()
                                + " was interrupted (stackctl stopped before it finished): bin/stackctl up finds out"
                                + " whether it committed and finishes it"));
                new ReleaseHistory(stack.files().releasesDir(), stack.project())
                        .interrupted()
                        .forEach(r -> problems.add("r" + r.id() + "'s deploy was interrupted (stackctl stopped before"
                                + " it finished): replicas may be mixed or too many; bin/stackctl deploy finishes it,"
                                + " bin/stackctl rollback returns to the release it was replacing"));
            }
            problems.addAll(TokenKeysCheck.problems(stack));
            var edge = EdgeHealth.of(stack, Instant.now());
            problems.addAll(edge.problems());
            var internal = InternalTlsHealth.of(stack, Instant.now());
            problems.addAll(internal.problems());
            problems.addAll(archivingProblems(stack));
            var database = target(stack).name().equals("compose")
                    ? Optional.of(Replication.of(stack))
                    : Optional.<Replication>empty();
            database.ifPresent(replication -> problems.addAll(replication.problems()));
            List<String> warnings = new ArrayList<>(edge.warnings());
            warnings.addAll(internal.warnings());
            if (stack.maintenance().active()) {
                problems.add("nginx answers 503 maintenance: a restore is running, or one was interrupted"
                        + " (bin/stackctl up turns it off)");
            }
            print(replicas, ready, health, problems, stack, connections, warnings, database);
            warnings.forEach(w -> err().println("warning: " + w));
            if (!problems.isEmpty()) {
                err().println("unhealthy: " + String.join("; ", problems));
                err().println("hint: stackctl status shows states; stackctl logs SERVICE shows why; stackctl up"
                        + " re-renders nginx's upstream when a replica came back on a new address");
                return ExitCodes.CHECK_FAILED;
            }
        }
        return ExitCodes.OK;
    }

    private void print(
            List<ReplicaHealth> replicas,
            HttpProbe.Result ready,
            HttpProbe.Result health,
            List<String> problems,
            Stack stack,
            Optional<ConnectionBudget> connections,
            List<String> warnings,
            Optional<Replication> database) {
        if (global.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("project", stack.project());
            doc.put("healthy", problems.isEmpty());
            doc.put("problems", problems);
            doc.put("warnings", warnings);
            doc.put("replicas", replicas);
            doc.put("nginx", Map.of("ready", ready, "health", health));
            connections.ifPresent(b -> doc.put(
                    "db_connections",
                    Map.of(
                            "max_connections", b.maxConnections(),
                            "pool_size", b.poolSize(),
                            "for_pools", b.forReplicas(),
                            "in_use_at_most", b.needed(replicas.size(), 0),
                            "max_replicas", b.maxReplicas())));
            database.ifPresent(replication -> doc.put("database", replication.json()));
            output().json(doc);
            return;
        }
        output().table(
                        List.of("REPLICA", "ADDRESS", "UPSTREAM", "LIVE", "READY", "HEALTH"),
                        replicas.stream()
                                .map(r -> List.of(
                                        r.name(),
                                        r.address() == null ? "-" : r.address(),
                                        r.inUpstream() ? "in" : "out",
                                        r.live().summary(),
                                        r.ready().summary(),
                                        r.health().summary()))
                                .toList());
        output().line("");
        output().line("through nginx (" + stack.settings().baseUrl() + "): /ready " + ready.summary() + ", /health "
                + health.summary());
        connections.ifPresent(b -> output().line("database connections: " + b.describe(replicas.size())));
        database.ifPresent(replication -> {
            output().line("");
            output().table(List.of("DB NODE", "ROLE", "REPLICATION", "LAG", "SLOT"), replication.rows());
        });
    }

    /**
     * WAL archiving off or stuck; nothing when the database does not answer, which the checks above report.
     */
    private static List<String> archivingProblems(Stack stack) {
        try {
            return WalArchiving.of(PostgresContainer.of(stack)).problems(WalArchiving.STUCK_AFTER);
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** The connection budget, when the database answers (its own health is reported above either way). */
    private static Optional<ConnectionBudget> connections(Stack stack) {
        try {
            return Optional.of(stack.connectionBudget());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
