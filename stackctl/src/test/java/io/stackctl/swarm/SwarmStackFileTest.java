package io.stackctl.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.stackctl.core.StackctlException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwarmStackFileTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, String> SECRET_NAMES = Map.of(
            "db_password", "taskmanager_db_password_aaa",
            "app_db_password", "taskmanager_app_db_password_fff",
            "redis_password", "taskmanager_redis_password_bbb",
            "redis_ops_password", "taskmanager_redis_ops_password_ggg",
            "jwt_secret", "taskmanager_jwt_secret_ccc",
            "admin_password", "taskmanager_admin_password_ddd",
            "ops_token", "taskmanager_ops_token_eee",
            "backup_cipher_pass", "taskmanager_backup_cipher_pass_hhh");

    private static String composeConfig() throws Exception {
        try (var in = SwarmStackFileTest.class.getResourceAsStream("/swarm/compose-config.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String rendered() throws Exception {
        return SwarmStackFile.render(composeConfig(), plan(4, SECRET_NAMES, false));
    }

    @Test
    void theStackFileHoldsNoSecretValueOnlyReferencesToDockerSecrets() throws Exception {
        String file = rendered();

        // compose's own files (compose/secrets, mounted from the manager's disk) give way to Docker secrets.
        assertThat(composeConfig()).contains("/run/stack-app-secrets/", "compose/secrets/app/");
        assertThat(file)
                .doesNotContain("/run/stack-app-secrets")
                .doesNotContain("compose/secrets")
                .doesNotContain("fake-db-password-0001")
                .doesNotContain("fake-app-db-password-06")
                .doesNotContain("fake-redis-password-02")
                .doesNotContain("fake-redis-ops-password-07")
                .doesNotContain("fake-jwt-secret")
                .doesNotContain("fake-admin-password")
                .doesNotContain("fake-backup-cipher-pass");
        JsonNode stack = YAML.readTree(file);
        assertThat(stack.at("/secrets/db_password/external").asBoolean()).isTrue();
        assertThat(stack.at("/secrets/db_password/name").asText()).isEqualTo("taskmanager_db_password_aaa");
        // the app's own role's password; the superuser's reaches the db service only
        assertThat(stack.at("/services/app/environment/DB_PASSWORD_FILE").asText())
                .isEqualTo("/run/secrets/app_db_password");
        assertThat(texts(stack.at("/services/app/secrets"))).doesNotContain("db_password");
        assertThat(stack.at("/services/db/environment/APP_DB_PASSWORD_FILE").asText())
                .isEqualTo("/run/secrets/app_db_password");
        assertThat(texts(stack.at("/services/db/secrets")))
                .containsExactlyInAnyOrder("db_password", "app_db_password", "backup_cipher_pass");
        assertThat(stack.at("/services/db/environment/BACKUP_CIPHER_PASS_FILE").asText())
                .isEqualTo("/run/secrets/backup_cipher_pass");
        assertThat(stack.at("/services/app/environment/JWT_SECRET_FILE").asText())
                .isEqualTo("/run/secrets/jwt_secret");
        assertThat(stack.at("/services/app/environment").has("DB_PASSWORD")).isFalse();
        assertThat(stack.at("/services/db/environment/POSTGRES_PASSWORD_FILE").asText())
                .isEqualTo("/run/secrets/db_password");
        assertThat(stack.at("/services/cache/environment/REDIS_APP_PASSWORD_FILE")
                        .asText())
                .isEqualTo("/run/secrets/redis_password");
        assertThat(stack.at("/services/cache/environment/REDIS_OPS_PASSWORD_FILE")
                        .asText())
                .isEqualTo("/run/secrets/redis_ops_password");
        assertThat(texts(stack.at("/services/cache/secrets")))
                .containsExactlyInAnyOrder("redis_password", "redis_ops_password");
        assertThat(stack.at("/services/app/environment/OPS_TOKEN_FILE").asText())
                .isEqualTo("/run/secrets/ops_token");
        assertThat(stack.at("/services/cache/environment").has("REDIS_APP_PASSWORD"))
                .isFalse();
        assertThat(stack.at("/services/cache/environment").has("REDIS_OPS_PASSWORD"))
                .isFalse();
        // TLS inside the stack is on by default on Swarm, where overlay traffic may cross hosts
        assertThat(stack.at("/services/app/environment/INTERNAL_TLS").asText()).isEqualTo("on");
        // compose's credential files (compose/secrets) are not on every node: Docker secrets take their place
        assertThat(texts(stack.at("/services/db/volumes")))
                .containsExactlyInAnyOrder(
                        "db-data:/var/lib/postgresql/data:rw",
                        "db-backup:/var/lib/pgbackrest:rw",
                        "/srv/stackctl/compose/db:/stack/db:ro",
                        "/srv/stackctl/compose/tls/db:/stack/tls:ro");
        assertThat(texts(stack.at("/services/cache/volumes")))
                .containsExactlyInAnyOrder(
                        "cache-data:/data:rw",
                        "/srv/stackctl/compose/cache:/stack/cache:ro",
                        "/srv/stackctl/compose/tls/cache:/stack/tls:ro");
    }

    @Test
    void swarmGetsWhatItNeedsAndNothingItRejects() throws Exception {
        JsonNode stack = YAML.readTree(rendered());

        assertThat(stack.get("version").asText()).isEqualTo("3.8");
        // The agent runs the backup schedule alone, beside the db it execs into: DNS is nginx's upstream here.
        assertThat(texts(stack.at("/services/upstream-agent/command"))).containsExactly("--schedule-only");
        assertThat(stack.at("/services/upstream-agent/image").asText())
                .isEqualTo("stackctl/upstream-agent:release-abcdef012345");
        assertThat(stack.at("/services/upstream-agent/deploy/placement/constraints/0")
                        .asText())
                .isEqualTo("node.labels.stackctl.db == true");
        assertThat(stack.at("/networks").has("offsite")).isFalse();
        assertThat(stack.at("/services").has("prometheus"))
                .as("the monitoring profile's services (compose config lists them, profile or not)")
                .isFalse();
        stack.get("services").forEach(service -> {
            assertThat(service.has("build")).isFalse();
            assertThat(service.has("depends_on")).isFalse();
            assertThat(service.has("restart")).isFalse();
            assertThat(service.at("/deploy/endpoint_mode").asText()).isEqualTo("dnsrr");
            assertThat(service.at("/deploy/resources/limits/cpus").isTextual()).isTrue();
        });
        JsonNode app = stack.at("/services/app");
        assertThat(app.get("image").asText()).isEqualTo("stackctl/taskmanager-app:release-0123456789ab");
        assertThat(app.at("/deploy/replicas").asInt()).isEqualTo(4);
        assertThat(app.at("/deploy/update_config/order").asText()).isEqualTo("start-first");
        assertThat(app.at("/deploy/update_config/failure_action").asText()).isEqualTo("rollback");
        assertThat(app.at("/deploy/update_config/parallelism").asInt()).isEqualTo(1);
        assertThat(app.has("healthcheck")).isTrue();
        assertThat(stack.at("/services/db/deploy/placement/constraints/0").asText())
                .isEqualTo("node.labels.stackctl.db == true");
        assertThat(stack.at("/services/cache/deploy/placement/constraints/0").asText())
                .isEqualTo("node.labels.stackctl.db == true");
        JsonNode port = stack.at("/services/nginx/ports/0");
        assertThat(port.get("mode").asText()).isEqualTo("host");
        assertThat(port.get("published").asInt()).isEqualTo(8080);
        assertThat(stack.at("/services/nginx/volumes/0/source").asText())
                .isEqualTo("/srv/stackctl/compose/generated/swarm/nginx.conf");
        assertThat(stack.at("/services/nginx/volumes/2/source").asText())
                .as("the certificate's folder only, never the CA's key beside it")
                .isEqualTo("/srv/stackctl/compose/tls/edge");
        assertThat(stack.at("/services/nginx/ports/1/published").asInt()).isEqualTo(8443);
        assertThat(stack.at("/networks/backend/driver").asText()).isEqualTo("overlay");
        assertThat(stack.at("/networks/backend/internal").asBoolean()).isTrue();
        assertThat(stack.at("/volumes").has("db-data")).isTrue();
    }

    @Test
    void anOffHostRepositoryGetsItsCredentialsAsSecretsAndARouteOutProofsCanJoin() throws Exception {
        // compose.yaml joined by offsite.yaml, as compose config prints it.
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) YAML.readTree(composeConfig());
        config.with("networks").putObject("offsite");
        config.with("services").with("db").with("networks").putObject("offsite");
        var names = new java.util.HashMap<>(SECRET_NAMES);
        names.put("s3_key", "taskmanager_s3_key_iii");
        names.put("s3_key_secret", "taskmanager_s3_key_secret_jjj");
        names.put("s3_ca", "taskmanager_s3_ca_kkk");

        JsonNode stack = YAML.readTree(SwarmStackFile.render(YAML.writeValueAsString(config), plan(2, names, false)));

        assertThat(stack.at("/networks/offsite/driver").asText()).isEqualTo("overlay");
        assertThat(stack.at("/networks/offsite/attachable").asBoolean()).isTrue();
        assertThat(stack.at("/networks/offsite/internal").asBoolean()).isFalse();
        assertThat(stack.at("/services/db/networks").has("offsite")).isTrue();
        // compose/db/pgbackrest-conf.sh reads them beside the repository key, /run/secrets/backup_cipher_pass.
        var secrets = new java.util.HashMap<String, String>();
        stack.at("/services/db/secrets").forEach(secret -> {
            if (secret.isObject()) {
                secrets.put(secret.get("source").asText(), secret.get("target").asText());
            }
        });
        assertThat(secrets)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("s3_key", "s3-key", "s3_key_secret", "s3-key-secret", "s3_ca", "s3-ca.pem"));
        assertThat(stack.at("/secrets/s3_key_secret/name").asText()).isEqualTo("taskmanager_s3_key_secret_jjj");
        assertThat(stack.at("/secrets/s3_key_secret/external").asBoolean()).isTrue();
        assertThat(texts(stack.at("/services/app/secrets"))).doesNotContain("s3_key", "s3_key_secret");
    }

    @Test
    void aConfigThatIsNotAComposeFileIsAClearError() {
        assertThatThrownBy(() -> SwarmStackFile.render(
                        "- just\n- a list\n",
                        new SwarmStackFile.Plan(
                                1,
                                "i",
                                "a",
                                SECRET_NAMES,
                                8080,
                                8443,
                                Path.of("x"),
                                Path.of("y"),
                                Path.of("z"),
                                true,
                                false)))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("not a compose file");
    }

    @Test
    void nginxFollowsTasksByDnsInsteadOfARenderedUpstream(@TempDir Path dir) throws Exception {
        SwarmNginxConf.write(repoFile("nginx"), dir);
        String conf = Files.readString(dir.resolve("nginx.conf"));
        String proxy = Files.readString(dir.resolve("edge/proxy.conf"));

        assertThat(conf)
                .contains("resolver 127.0.0.11 valid=1s ipv6=off;")
                .doesNotContain("upstream app {")
                .contains("include /etc/nginx/edge/*.conf;");
        assertThat(proxy)
                .contains("set $replicas tasks.app;")
                .contains("proxy_pass http://$replicas:8080;")
                .doesNotContain("proxy_pass http://app;")
                .contains("include /etc/nginx/upstream/maintenance/*.conf;")
                .contains("proxy_next_upstream error timeout")
                .contains("proxy_connect_timeout 300ms;");
        assertThat(dir.resolve("edge/https/server.conf"))
                .hasSameTextualContentAs(repoFile("nginx/edge/https/server.conf"));
        assertThatThrownBy(() -> SwarmNginxConf.from("events {}\nhttp {}\n"))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("upstream app");
        assertThatThrownBy(() -> SwarmNginxConf.proxy("proxy_pass http://elsewhere;\n"))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("proxy.conf");
    }

    private static JsonNode renderedFromTodaysCompose(boolean monitoring) throws Exception {
        String config;
        try (var in = SwarmStackFileTest.class.getResourceAsStream("/swarm/compose-config-monitoring.yaml")) {
            config = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var names = new java.util.HashMap<>(SECRET_NAMES);
        if (monitoring) {
            names.put(SwarmStackFile.MONITOR_SECRET, "taskmanager_monitor_db_password_lll");
        }
        return YAML.readTree(SwarmStackFile.render(config, plan(3, names, monitoring)));
    }

    @Test
    void theMonitoringProfileRunsOnSwarmWithPrometheusFindingTheReplicasInDns() throws Exception {
        JsonNode stack = renderedFromTodaysCompose(true);
        JsonNode services = stack.get("services");

        assertThat(names(services))
                .contains(
                        "prometheus",
                        "alertmanager",
                        "db-exporter",
                        "cache-exporter",
                        "volume-exporter",
                        "edge-exporter")
                // the standby's profile is not for Swarm
                .doesNotContain("db-standby");
        services.forEach(service -> assertThat(service.has("profiles")).isFalse());
        var prometheus = services.get("prometheus");
        assertThat(texts(prometheus.get("command")))
                .contains("--config.file=/stack/targets/" + SwarmPrometheusConf.FILE)
                .noneMatch(arg -> arg.equals("--config.file=/stack/monitoring/prometheus.yml"));
        // Swarm would publish on every interface, and neither has a login.
        assertThat(prometheus.has("ports")).isFalse();
        assertThat(services.get("alertmanager").has("ports")).isFalse();
        // compose/ is read from the host where stackctl writes it; the data volumes are on db's node.
        assertThat(texts(prometheus.at("/deploy/placement/constraints")))
                .containsExactly("node.labels." + SwarmStackFile.EDGE_LABEL + " == true");
        assertThat(texts(services.at("/volume-exporter/deploy/placement/constraints")))
                .containsExactly("node.labels." + SwarmStackFile.DB_LABEL + " == true");
        // The exporters speak TLS to db and cache as the app does on Swarm (on unless compose/.env says off).
        assertThat(services.at("/db-exporter/environment/INTERNAL_TLS").asText())
                .isEqualTo("on");
        // db opens the exporter's login from a Docker secret; nginx logs its answers for edge-exporter.
        assertThat(services.at("/db/environment/MONITOR_PASSWORD_FILE").asText())
                .isEqualTo("/run/secrets/" + SwarmStackFile.MONITOR_SECRET);
        assertThat(texts(services.at("/db/secrets"))).contains(SwarmStackFile.MONITOR_SECRET);
        assertThat(stack.at("/secrets/" + SwarmStackFile.MONITOR_SECRET + "/name")
                        .asText())
                .isEqualTo("taskmanager_monitor_db_password_lll");
        assertThat(services.at("/nginx/volumes").findValuesAsText("target")).contains("/run/edge");
        // compose checks them once a minute; Swarm holds a task as starting until its first check, so as the stack.
        assertThat(services.at("/edge-exporter/healthcheck/interval").asText()).isEqualTo("5s");
        assertThat(services.at("/prometheus/healthcheck/interval").asText()).isEqualTo("5s");
    }

    @Test
    void withoutTheProfileNoneOfItsServicesIsDeployed() throws Exception {
        JsonNode services = renderedFromTodaysCompose(false).get("services");

        assertThat(names(services)).containsExactlyInAnyOrder("app", "cache", "db", "nginx", "upstream-agent");
        assertThat(services.at("/db/environment").has("MONITOR_PASSWORD_FILE")).isFalse();
    }

    @Test
    void prometheusOnSwarmScrapesTasksAppByDnsAndKeepsEveryOtherJob() throws Exception {
        String compose = Files.readString(repoFile("compose/monitoring/prometheus.yml"));
        JsonNode swarm = YAML.readTree(SwarmPrometheusConf.from(compose));
        JsonNode original = YAML.readTree(compose);

        JsonNode app = null;
        for (JsonNode job : swarm.get("scrape_configs")) {
            if (job.get("job_name").asText().equals("app")) {
                app = job;
            }
        }
        assertThat(app).isNotNull();
        assertThat(app.has("file_sd_configs")).isFalse();
        assertThat(texts(app.at("/dns_sd_configs/0/names"))).containsExactly("tasks.app");
        assertThat(app.at("/dns_sd_configs/0/port").asInt()).isEqualTo(8080);
        assertThat(app.at("/dns_sd_configs/0/refresh_interval").asText()).isEqualTo("1s");
        // A new replica's first scrape is at most one interval after DNS lists it; the timeout fits inside it.
        assertThat(app.get("scrape_interval").asText()).isEqualTo("2s");
        assertThat(app.get("scrape_timeout").asText()).isEqualTo("2s");
        // The operator token still authorises every scrape of /metrics.
        assertThat(app.at("/authorization/credentials_file").asText()).isEqualTo("/run/stack-secrets/ops-token");
        assertThat(swarm.get("scrape_configs").size())
                .isEqualTo(original.get("scrape_configs").size());
        assertThat(swarm.get("rule_files")).isEqualTo(original.get("rule_files"));
        assertThat(swarm.get("alerting")).isEqualTo(original.get("alerting"));
    }

    @Test
    void aPrometheusConfigWithoutTheAppJobIsAClearError() {
        assertThatThrownBy(() -> SwarmPrometheusConf.from("scrape_configs:\n  - job_name: db\n"))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("no job 'app' with file_sd_configs");
    }

    @Test
    void downRemovesEveryVolumeComposeDeclaresProfilesIncluded() {
        assertThat(SwarmStackFile.declaredVolumes(repoFile("compose/compose.yaml")))
                .contains(
                        "db-data",
                        "db-backup",
                        "cache-data",
                        "prometheus-data",
                        "alertmanager-data",
                        "edge-log",
                        "db-standby-data");
    }

    private static java.util.List<String> names(JsonNode services) {
        var names = new java.util.ArrayList<String>();
        services.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A plan as up makes one on /srv/stackctl, with internal TLS on. */
    private static SwarmStackFile.Plan plan(int replicas, Map<String, String> secretNames, boolean monitoring) {
        return new SwarmStackFile.Plan(
                replicas,
                "stackctl/taskmanager-app:release-0123456789ab",
                "stackctl/upstream-agent:release-abcdef012345",
                secretNames,
                8080,
                8443,
                Path.of("/srv/stackctl/compose/generated/swarm"),
                Path.of("/srv/stackctl/compose/generated"),
                Path.of("/srv/stackctl/compose/tls"),
                true,
                monitoring);
    }

    private static Path repoFile(String relative) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve(relative))) {
            dir = dir.getParent();
        }
        return dir == null ? Path.of(relative) : dir.resolve(relative);
    }

    @Test
    void nginxStartsByTheRepositorysScriptWithoutComposesFallbackUpstream() throws Exception {
        JsonNode stack = YAML.readTree(rendered());

        // compose passes app:8080 as the upstream until stackctl renders one; Swarm's nginx.conf resolves its own
        assertThat(texts(composeNginxCommand())).containsExactly("bash", "/etc/nginx/stack/start.sh", "app:8080");
        assertThat(texts(stack.at("/services/nginx/command"))).containsExactly("bash", "/etc/nginx/stack/start.sh");
    }

    private static JsonNode composeNginxCommand() throws Exception {
        return YAML.readTree(composeConfig()).at("/services/nginx/command");
    }

    private static java.util.List<String> texts(JsonNode array) {
        var texts = new java.util.ArrayList<String>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
