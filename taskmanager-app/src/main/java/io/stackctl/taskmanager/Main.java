package io.stackctl.taskmanager;

import static net.logstash.logback.argument.StructuredArguments.kv;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Starts the task API from environment variables; SIGTERM stops it gracefully with exit code 0. */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        shortDnsCaching();
        AppConfig config;
        try {
            config = AppConfig.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            log.error("invalid configuration: {}", e.getMessage());
            flushLogs();
            System.exit(2);
            return;
        }
        TaskManagerApp app;
        try {
            app = TaskManagerApp.start(config);
        } catch (RuntimeException e) {
            log.error(
                    "could not start: {} (is PostgreSQL reachable at {}:{}?)",
                    e.getMessage(),
                    config.dbHost(),
                    config.dbPort(),
                    e);
            flushLogs();
            System.exit(1);
            return;
        }
        log.info(
                "serving on port {}", app.port(), kv("instance", config.instanceId()), kv("config", config.toString()));
        if (config.injectedErrors() != null) {
            log.warn(
                    "INJECT_ERRORS: {} answer 500 on purpose; remove the setting and deploy to stop it",
                    config.injectedErrors().describe(),
                    kv("instance", config.instanceId()));
        }
        // After start the only way out is a signal (SIGTERM from docker stop, Ctrl-C): finish the in-flight
        // requests, then report a clean stop with 0 instead of the JVM's 143.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("stopping: finishing in-flight requests", kv("instance", config.instanceId()));
                            app.close();
                            log.info("stopped", kv("instance", config.instanceId()));
                            flushLogs();
                            Runtime.getRuntime().halt(0);
                        },
                        "shutdown"));
        reconnectOnHangup(app, config.instanceId());
    }

    /**
     * SIGHUP opens every connection to Redis and PostgreSQL again without failing a request (new pools take over, the
     * old ones drain): for a changed route (a drill's proxy) that pooled connections would otherwise keep ignoring. The JVM's
     * own meaning of SIGHUP, exit, is replaced; stackctl's drills rely on this (the image's io.stackctl.sighup label).
     */
    static void reconnectOnHangup(TaskManagerApp app, String instance) {
        Signal.handle(
                new Signal("HUP"),
                signal -> new Thread(
                                () -> {
                                    try {
                                        var reconnected = app.reconnect();
                                        var handover = reconnected.database();
                                        if (handover.done()) {
                                            log.info(
                                                    "database and cache connections opened again (SIGHUP)",
                                                    kv("instance", instance),
                                                    kv("cache_connections", reconnected.cacheConnections()),
                                                    kv("connections", handover.connections()),
                                                    kv("ready_ms", handover.readyMs()),
                                                    kv("old_pool_drained_ms", handover.drainedMs()));
                                        } else {
                                            log.warn(
                                                    "SIGHUP: the new database connections did not open within {} ms; kept the"
                                                            + " old ones (is PostgreSQL reachable?)",
                                                    handover.readyMs(),
                                                    kv("instance", instance));
                                        }
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    } catch (RuntimeException e) {
                                        log.error(
                                                "SIGHUP: reconnecting to the database failed",
                                                kv("instance", instance),
                                                e);
                                    }
                                },
                                "reconnect")
                        .start());
    }

    /**
     * The JVM caches a failed lookup for 10 s and a good one for 30 s. A stopped db or cache container
     * vanishes from Docker's DNS, so the defaults keep a replica failing for seconds after it is back, or
     * talking to an old address after it moved; the db-restart drill measures this.
     */
    static void shortDnsCaching() {
        java.security.Security.setProperty("networkaddress.cache.ttl", "5");
        java.security.Security.setProperty("networkaddress.cache.negative.ttl", "0");
    }

    /** The async appender must drain before the JVM exits. */
    private static void flushLogs() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }
}
