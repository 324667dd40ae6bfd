package io.stackctl.swarm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.Monitoring;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The stack file {@code docker stack deploy} gets, made from compose.yaml as compose resolves it ({@code config}:
 * compose/.env interpolated, paths absolute), plus what Swarm needs and minus what it does not know:
 *
 * <ul>
 *   <li>every service answers by DNS round robin ({@code endpoint_mode: dnsrr}): Swarm's virtual IPs need the
 *       kernel's IPVS, which not every host has, and nginx balances across tasks.app itself;
 *   <li>the app rolls start-first, one task at a time, and Swarm rolls back on its own when a new task fails;
 *   <li>passwords and the token key are Docker secrets, read from files ({@code *_FILE}), never in the spec;
 *   <li>db and cache are pinned to the node labelled {@code stackctl.db=true}, where their volumes live, and nginx to
 *       the one labelled {@code stackctl.edge=true}, where it publishes the port (host mode: no routing mesh) and
 *       where stackctl writes its maintenance answer;
 *   <li>the networks are overlays, backend internal; the agent runs the backup schedule alone, since DNS is the
 *       upstream here;
 *   <li>with the monitoring profile, its services run beside the stack's: Prometheus finds the replicas in Docker's
 *       DNS ({@link SwarmPrometheusConf}), the services that read compose/ on the host run on the edge node (where
 *       stackctl writes it) and the volume exporter on db's; Prometheus and Alertmanager publish no port, since
 *       Swarm publishes on every interface of the host and neither has a login.
 * </ul>
 */
public final class SwarmStackFile {

    public static final String DB_LABEL = "stackctl.db";
    static final String AGENT = "upstream-agent";
    public static final String EDGE_LABEL = "stackctl.edge";

    /** The secrets, by the name the stack file uses, with the compose/.env variable each comes from. */
    public static final Map<String, String> SECRETS = Map.of(
            "db_password", "POSTGRES_PASSWORD",
            "app_db_password", "APP_DB_PASSWORD",
            "redis_password", "REDIS_PASSWORD",
            "redis_ops_password", "REDIS_OPS_PASSWORD",
            "jwt_secret", "JWT_SECRET",
            "admin_password", "ADMIN_PASSWORD",
            "ops_token", "OPS_TOKEN",
            "backup_cipher_pass", "BACKUP_CIPHER_PASS");

    /**
     * The off-host repository's credentials (when compose/.env names one), by the name the stack file uses, with the
     * file db reads each from beside the repository key (compose/db/pgbackrest-conf.sh).
     */
    public static final Map<String, String> OFFSITE_SECRETS =
            Map.of("s3_key", "s3-key", "s3_key_secret", "s3-key-secret", "s3_ca", "s3-ca.pem");

    /** The app's variables that hold a secret, with the secret each is read from instead. */
    static final Map<String, String> APP_SECRETS = Map.of(
            "DB_PASSWORD", "app_db_password",
            "REDIS_PASSWORD", "redis_password",
            "JWT_SECRET", "jwt_secret",
            "ADMIN_PASSWORD", "admin_password",
            "OPS_TOKEN", "ops_token");

    /** The monitoring profile's login to PostgreSQL, a Docker secret mounted into db when the profile is on. */
    public static final String MONITOR_SECRET = "monitor_db_password";

    /** Where compose mounts the credential files into db and cache. */
    static final String CREDENTIAL_FILES = "/run/stack-secrets";

    /** Where compose mounts the app's secrets (compose/secrets/app/ID); on Swarm, Docker secrets instead. */
    static final String APP_SECRET_FILES = "/run/stack-app-secrets";

    /**
     * Keys docker stack deploy refuses or ignores (dns_opt: the stack file's schema has none; it serves the standby;
     * cpu_shares neither: Swarm's tasks cannot be weighed one by one, as the upstream agent does on compose).
     */
    private static final List<String> NOT_FOR_SWARM =
            List.of("build", "depends_on", "restart", "container_name", "expose", "links", "dns_opt", "cpu_shares");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    /**
     * @param secretNames the Docker secret behind each name of {@link #SECRETS}, and of {@link #OFFSITE_SECRETS} when
     *     there is an off-host repository (names carry a hash of the value,
     *     because Swarm secrets cannot change: a new value is a new secret, and the services roll onto it)
     * @param appImage an immutable tag of the app image: Swarm only rolls when the spec changes
     * @param agentImage the agent's, likewise: a new stackctl's agent rolls out with the next up
     * @param internalTls the app reaches PostgreSQL and Redis over TLS (on unless compose/.env says off: overlay
     *     traffic may cross hosts)
     */
    public record Plan(
            int replicas,
            String appImage,
            String agentImage,
            Map<String, String> secretNames,
            int httpPort,
            int httpsPort,
            Path nginxDir,
            Path generatedDir,
            Path tlsDir,
            boolean internalTls,
            boolean monitoring) {}

    private SwarmStackFile() {}

    public static String render(String composeConfig, Plan plan) {
        ObjectNode root;
        try {
            root = (ObjectNode) YAML.readTree(composeConfig);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "compose config printed something that is not a compose file: " + e.getMessage(),
                    "check compose/compose.yaml with: docker-compose -f compose/compose.yaml config");
        }
        root.put("version", "3.8");
        ObjectNode services = (ObjectNode) root.get("services");
        // A profile's services run only with it: the monitoring profile's when on; the standby's are not for Swarm.
        List<String> left = new java.util.ArrayList<>();
        services.fields().forEachRemaining(entry -> {
            JsonNode profiles = entry.getValue().path("profiles");
            if (profiles.isMissingNode()) {
                return;
            }
            boolean monitoring = false;
            for (JsonNode profile : profiles) {
                monitoring |= profile.asText().equals(Monitoring.PROFILE);
            }
            if (monitoring && plan.monitoring()) {
                ((ObjectNode) entry.getValue()).remove("profiles");
            } else {
                left.add(entry.getKey());
            }
        });
        services.remove(left);
        boolean offsite = root.path("networks").has("offsite");
        services.fields().forEachRemaining(entry -> common((ObjectNode) entry.getValue()));
        app(object(services, "app"), plan);
        db(object(services, "db"), plan);
        agent(object(services, AGENT), plan);
        cache(object(services, "cache"));
        object(object(services, "app"), "environment").put("INTERNAL_TLS", plan.internalTls() ? "on" : "off");
        nginx(object(services, "nginx"), plan);
        if (plan.monitoring()) {
            monitoring(services, plan);
        }
        ObjectNode networks = root.putObject("networks");
        networks.putObject("frontend").put("driver", "overlay");
        networks.putObject("backend").put("driver", "overlay").put("internal", true);
        if (offsite) {
            // db's route to the object store; attachable, because a proof's scratch container joins it with docker run.
            networks.putObject("offsite").put("driver", "overlay").put("attachable", true);
        }
        ObjectNode secrets = root.putObject("secrets");
        plan.secretNames().keySet().stream()
                .sorted()
                .forEach(name -> secrets.putObject(name)
                        .put("external", true)
                        .put("name", plan.secretNames().get(name)));
        try {
            return "# Rendered by stackctl from compose/compose.yaml for docker stack deploy; edit that file, not this.\n"
                    + YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the stack file", e);
        }
    }

    /**
     * The named volumes compose.yaml declares (its top-level {@code volumes}), profiles' included: what {@code down
     * --volumes} removes, read from the file itself so that a volume added there is never left behind.
     */
    public static List<String> declaredVolumes(Path composeFile) {
        try {
            List<String> names = new java.util.ArrayList<>();
            YAML.readTree(composeFile.toFile()).path("volumes").fieldNames().forEachRemaining(names::add);
            return names;
        } catch (java.io.IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot read the volumes " + composeFile + " declares: " + e.getMessage(),
                    "restore it (git diff compose/compose.yaml shows what changed)");
        }
    }

    private static void common(ObjectNode service) {
        NOT_FOR_SWARM.forEach(service::remove);
        ObjectNode deploy = object(service, "deploy");
        deploy.put("endpoint_mode", "dnsrr");
        deploy.putObject("restart_policy").put("condition", "any").put("delay", "2s");
        JsonNode limits = deploy.path("resources").path("limits");
        if (limits.has("cpus")) {
            // compose prints a number; the stack file schema wants a string
            ((ObjectNode) limits).put("cpus", limits.get("cpus").asText());
        }
    }

    private static void app(ObjectNode app, Plan plan) {
        app.put("image", plan.appImage());
        ObjectNode environment = object(app, "environment");
        ArrayNode secrets = app.putArray("secrets");
        APP_SECRETS.forEach((variable, secret) -> {
            environment.remove(variable);
            environment.put(variable + "_FILE", "/run/secrets/" + secret);
            secrets.add(secret);
        });
        withoutMount(app, APP_SECRET_FILES);
        ObjectNode deploy = object(app, "deploy");
        deploy.put("replicas", plan.replicas());
        deploy.putObject("update_config")
                .put("parallelism", 1)
                .put("delay", "2s")
                .put("order", "start-first")
                .put("failure_action", "rollback")
                .put("monitor", "15s")
                .put("max_failure_ratio", 0);
        deploy.putObject("rollback_config")
                .put("parallelism", 1)
                .put("order", "start-first")
                .put("failure_action", "pause");
    }

    /**
     * The agent runs the backup schedule alone ({@code --schedule-only}): Docker's DNS is nginx's upstream here. It
     * execs into db through the engine it mounts, so it runs on db's node.
     */
    private static void agent(ObjectNode agent, Plan plan) {
        agent.put("image", plan.agentImage());
        agent.putArray("command").add("--schedule-only");
        pin(agent, DB_LABEL);
    }

    private static void db(ObjectNode db, Plan plan) {
        ObjectNode environment = object(db, "environment");
        environment.remove("POSTGRES_PASSWORD");
        environment.put("POSTGRES_PASSWORD_FILE", "/run/secrets/db_password");
        // compose/db/ensure-roles.sh sets the app role's password from it.
        environment.remove("APP_DB_PASSWORD");
        environment.put("APP_DB_PASSWORD_FILE", "/run/secrets/app_db_password");
        // compose/db/start.sh puts pgBackRest's repository key in its configuration.
        environment.put("BACKUP_CIPHER_PASS_FILE", "/run/secrets/backup_cipher_pass");
        ArrayNode secrets =
                db.putArray("secrets").add("db_password").add("app_db_password").add("backup_cipher_pass");
        OFFSITE_SECRETS.entrySet().stream()
                .filter(secret -> plan.secretNames().containsKey(secret.getKey()))
                .sorted(Map.Entry.comparingByKey())
                .forEach(secret ->
                        secrets.addObject().put("source", secret.getKey()).put("target", secret.getValue()));
        if (plan.secretNames().containsKey(MONITOR_SECRET)) {
            // compose/db/ensure-roles.sh opens stackctl_monitor's login while this file holds its password.
            environment.put("MONITOR_PASSWORD_FILE", "/run/secrets/" + MONITOR_SECRET);
            secrets.add(MONITOR_SECRET);
        }
        withoutMount(db, CREDENTIAL_FILES);
        pin(db, DB_LABEL);
    }

    private static void cache(ObjectNode cache) {
        // compose/cache/start.sh and ops-cli.sh read each password from the file its *_FILE names.
        ObjectNode environment = object(cache, "environment");
        environment.remove("REDIS_APP_PASSWORD");
        environment.remove("REDIS_OPS_PASSWORD");
        environment.put("REDIS_APP_PASSWORD_FILE", "/run/secrets/redis_password");
        environment.put("REDIS_OPS_PASSWORD_FILE", "/run/secrets/redis_ops_password");
        cache.putArray("secrets").add("redis_password").add("redis_ops_password");
        withoutMount(cache, CREDENTIAL_FILES);
        pin(cache, DB_LABEL);
    }

    /**
     * Drops the bind mount at {@code target}: compose's credential files (compose/secrets), which Swarm's Docker
     * secrets replace, and whose folder a node other than the manager would not have.
     */
    static void withoutMount(ObjectNode service, String target) {
        JsonNode volumes = service.path("volumes");
        if (!volumes.isArray()) {
            return;
        }
        ArrayNode kept = service.putArray("volumes");
        for (JsonNode volume : volumes) {
            String[] parts = volume.asText().split(":");
            String mountedAt = volume.isTextual()
                    ? parts[Math.min(1, parts.length - 1)]
                    : volume.path("target").asText();
            if (!mountedAt.equals(target)) {
                kept.add(volume);
            }
        }
    }

    private static void nginx(ObjectNode nginx, Plan plan) {
        ArrayNode ports = nginx.putArray("ports");
        ports.addObject()
                .put("target", 80)
                .put("published", plan.httpPort())
                .put("protocol", "tcp")
                .put("mode", "host");
        ports.addObject()
                .put("target", 443)
                .put("published", plan.httpsPort())
                .put("protocol", "tcp")
                .put("mode", "host");
        ArrayNode volumes = nginx.putArray("volumes");
        volumes.addObject()
                .put("type", "bind")
                .put("source", plan.nginxDir().resolve("nginx.conf").toString())
                .put("target", "/etc/nginx/nginx.conf")
                .put("read_only", true);
        volumes.addObject()
                .put("type", "bind")
                .put("source", plan.nginxDir().resolve("edge").toString())
                .put("target", "/etc/nginx/stack")
                .put("read_only", true);
        // nginx is pinned to the node where stackctl runs, so the certificate is where `up` and `certs renew` wrote it.
        volumes.addObject()
                .put("type", "bind")
                .put("source", plan.tlsDir().resolve("edge").toString())
                .put("target", "/etc/nginx/tls")
                .put("read_only", true);
        volumes.addObject()
                .put("type", "bind")
                .put("source", plan.generatedDir().toString())
                .put("target", "/etc/nginx/upstream");
        // With the monitoring profile, nginx writes its counts (or its edge log) here for the edge-exporter, as on
        // compose.
        volumes.addObject().put("type", "volume").put("source", "edge-log").put("target", "/run/edge");
        nginx.putArray("command").add("bash").add(NGINX_START);
        pin(nginx, EDGE_LABEL);
    }

    /**
     * The monitoring profile's services. Those that mount compose/ from the host (the rules, the credentials, the
     * targets folder, the CA) run on the edge node, where stackctl writes it, as nginx does; edge-exporter shares
     * nginx's edge-log volume; the volume exporter mounts the data volumes, on db's node.
     */
    private static void monitoring(ObjectNode services, Plan plan) {
        for (String name : Monitoring.SERVICES) {
            if (!(services.get(name) instanceof ObjectNode service)) {
                continue;
            }
            pin(service, name.equals(VOLUME_EXPORTER) ? DB_LABEL : EDGE_LABEL);
            if (service.path("environment").has("INTERNAL_TLS")) {
                object(service, "environment").put("INTERNAL_TLS", plan.internalTls() ? "on" : "off");
            }
            // compose publishes Prometheus and Alertmanager on loopback; Swarm can only publish on every interface.
            service.remove("ports");
            // compose checks these once a minute (they gate nothing there: Prometheus' scrapes do); Swarm holds a task
            // as starting until its first check passes, and replaces an unhealthy one: as often as the stack's own.
            JsonNode interval = services.path("nginx").path("healthcheck").path("interval");
            if (service.get("healthcheck") instanceof ObjectNode check && !interval.isMissingNode()) {
                check.set("interval", interval);
            }
        }
        if (services.get(Monitoring.PROMETHEUS) instanceof ObjectNode prometheus
                && prometheus.get("command") instanceof ArrayNode command) {
            for (int i = 0; i < command.size(); i++) {
                if (command.get(i).asText().startsWith(CONFIG_FLAG)) {
                    command.set(i, command.textNode(CONFIG_FLAG + PROMETHEUS_TARGETS + "/" + SwarmPrometheusConf.FILE));
                }
            }
        }
    }

    static final String VOLUME_EXPORTER = "volume-exporter";
    private static final String CONFIG_FLAG = "--config.file=";

    /** Where Prometheus finds compose/generated/monitoring, which holds its Swarm configuration. */
    private static final String PROMETHEUS_TARGETS = "/stack/targets";

    /** nginx/edge/start.sh, as compose.yaml runs it, with no fallback upstream: Swarm's own upstream resolves. */
    static final String NGINX_START = "/etc/nginx/stack/start.sh";

    private static void pin(ObjectNode service, String label) {
        object(service, "deploy")
                .putObject("placement")
                .putArray("constraints")
                .add("node.labels." + label + " == true");
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node instanceof ObjectNode object) {
            return object;
        }
        return parent.putObject(field);
    }
}
