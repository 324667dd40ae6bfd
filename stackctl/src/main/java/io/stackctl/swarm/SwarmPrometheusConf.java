package io.stackctl.swarm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prometheus' configuration for Swarm, derived from {@code compose/monitoring/prometheus.yml} so there is one to
 * maintain. On compose the upstream agent writes the replicas to a file Prometheus watches; on Swarm Docker's DNS
 * knows them wherever Swarm placed them: {@code tasks.app} lists the running tasks, looked up again every
 * {@link #REFRESH}, and scraped every {@link #APP_INTERVAL}. A task that ended leaves DNS at once, so
 * on Swarm a crashed replica is a target that went away, not one that is down; Swarm replaces it.
 */
public final class SwarmPrometheusConf {

    /** The file, in compose/generated/monitoring (Prometheus mounts that folder). */
    public static final String FILE = "prometheus-swarm.yml";

    static final String REFRESH = "1s";

    /**
     * The app job's scrape interval on Swarm: a new target's first scrape comes up to one interval after it is found
     * (Prometheus spreads the targets' scrapes over it), so 2 s here, with DNS looked up every second, puts a new
     * replica in Prometheus within about 3 s; compose's file discovery finds one at once, and keeps the global 5 s.
     */
    static final String APP_INTERVAL = "2s";

    private static final String APP_JOB = "app";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private SwarmPrometheusConf() {}

    /** prometheus.yml with the app job's targets from Docker's DNS instead of the agent's file. */
    public static String from(String composeConf) {
        JsonNode root;
        try {
            root = YAML.readTree(composeConf);
        } catch (JsonProcessingException e) {
            throw unusable("it is not YAML (" + e.getOriginalMessage() + ")");
        }
        ObjectNode app = null;
        for (JsonNode job : root.path("scrape_configs")) {
            if (job instanceof ObjectNode candidate
                    && APP_JOB.equals(candidate.path("job_name").asText())) {
                app = candidate;
            }
        }
        if (app == null || !app.has("file_sd_configs")) {
            throw unusable("it has no job '" + APP_JOB + "' with file_sd_configs");
        }
        app.remove("file_sd_configs");
        app.put("scrape_interval", APP_INTERVAL).put("scrape_timeout", APP_INTERVAL);
        app.putArray("dns_sd_configs")
                .addObject()
                .put("type", "A")
                .put("port", 8080)
                .put("refresh_interval", REFRESH)
                .putArray("names")
                .add("tasks." + APP_JOB);
        try {
            return "# Rendered by stackctl from compose/monitoring/prometheus.yml for Swarm; edit that file, not this.\n"
                    + YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write Prometheus' configuration", e);
        }
    }

    /**
     * Writes {@link #FILE} into {@code targetsDir} from the repository's {@code compose/monitoring/prometheus.yml};
     * true when it changed (a running Prometheus reads it again on SIGHUP).
     */
    public static boolean write(Path composeConf, Path targetsDir) throws IOException {
        // Readable by Prometheus' own user in its container, as the SLO's rule file beside it.
        return AtomicFiles.writeStringIfChanged(
                targetsDir.resolve(FILE), from(Files.readString(composeConf)), AtomicFiles.permissions("rw-r--r--"));
    }

    private static StackctlException unusable(String why) {
        return new StackctlException(
                ExitCodes.FAILED,
                "compose/monitoring/prometheus.yml cannot be made into Swarm's: " + why,
                "restore it (git diff compose/monitoring/prometheus.yml shows what changed)");
    }
}
