package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.stackctl.taskmanager.auth.Accounts;
import io.stackctl.taskmanager.auth.AuthSettings;
import io.stackctl.taskmanager.auth.Authenticator;
import io.stackctl.taskmanager.auth.KeyRing;
import io.stackctl.taskmanager.auth.Tokens;
import io.stackctl.taskmanager.auth.UserRepository;
import io.stackctl.taskmanager.cache.TaskCache;
import io.stackctl.taskmanager.db.Database;
import io.stackctl.taskmanager.db.TaskRepository;
import io.stackctl.taskmanager.service.CachedForms;
import io.stackctl.taskmanager.service.TaskService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.component.LifeCycle;

/** The Javalin server with every route of the API; stopping it lets in-flight requests finish. */
public final class HttpServer {

    /** How long a stop waits for in-flight requests before it gives up on them. */
    static final long STOP_TIMEOUT_MS = 20_000;

    private final Javalin javalin;
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Until the warm-up is done, /ready says no, so nothing routes to a replica whose JVM is still cold. */
    private final AtomicBoolean warming = new AtomicBoolean(true);

    private final String warmUpCredential;

    static final int RESPONSE_COPY_BUFFER = 4096;

    /**
     * Connections the kernel may hold for us while the JVM is busy (a GC pause, a burst). Java's default of 50
     * overflowed at 1000 req/s: dropped SYNs became nginx connect timeouts, which marked every replica down.
     */
    static final int ACCEPT_QUEUE = 1024;

    public HttpServer(
            String instance,
            Database database,
            TaskCache cache,
            RequestLogPolicy logPolicy,
            AuthSettings authSettings,
            Supplier<KeyRing> keys,
            Accounts accounts,
            InjectedErrors injectedErrors) {
        ObjectMapper json = Json.mapper();
        var repository = new TaskRepository(database.dataSource(), database.standbyReads());
        var service = new TaskService(repository, cache, new CachedForms(json));
        var parser = new TaskRequestParser(json);
        var metrics = new Metrics(database, cache, service);
        var encoder = new TaskEncoder(json);
        var tasks = new TaskRoutes(service, parser, encoder);
        var health = new HealthRoutes(instance, database, cache, draining::get, warming::get, json);
        this.warmUpCredential = authSettings.opsToken();
        var ops = new OpsRoutes(instance, cache, metrics, keys, json, database);
        var docs = new ApiDocs();
        var tokens = new Tokens(authSettings, keys);
        var limiter = cache.rateLimiter();
        var authenticator = new Authenticator(authSettings, tokens, new UserRepository(database.dataSource()));
        var gate = new AuthGate(authSettings, authenticator, limiter);
        var authParser = new AuthRequestParser(json);
        var auth = new AuthRoutes(accounts, tokens, authParser, limiter, authSettings, json);
        var home = new HomePage(instance, service, parser, json, new LoginPage(auth, authParser, tokens, json));
        var errors = new ErrorMapper(json);
        var requestLog = new RequestLog(instance, metrics, logPolicy);
        this.javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.prefer405over404 = true;
            config.http.maxRequestSize = JsonBody.MAX_BYTES;
            // Javalin copies each result through a buffer of this size, allocated per response: its 32 KiB default
            // was 70% of all allocation (JFR) for answers of a few hundred bytes. Jetty's own output buffer
            // still aggregates the writes of a large list.
            config.http.responseBufferSize = RESPONSE_COPY_BUFFER;
            // nginx compresses at the edge (gzip on); compressing here too would spend replica CPU twice.
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.jetty.modifyServer(server -> {
                server.setStopTimeout(STOP_TIMEOUT_MS);
                server.insertHandler(new GracefulHandler());
                server.addEventListener(new LifeCycle.Listener() {
                    @Override
                    public void lifeCycleStarting(LifeCycle event) {
                        // Javalin adds its connector just before the start; the queue is fixed when it binds.
                        for (Connector connector : server.getConnectors()) {
                            if (connector instanceof ServerConnector serverConnector) {
                                serverConnector.setAcceptQueueSize(ACCEPT_QUEUE);
                            }
                        }
                    }
                });
            });
            requestLog.register(config);
            new PageGuard(authSettings.jwtSecret()).register(config);
            gate.register(config);
            if (injectedErrors != null) {
                injectedErrors.register(config);
            }
            auth.register(config.routes);
            tasks.register(config.routes);
            health.register(config.routes);
            ops.register(config.routes);
            docs.register(config.routes);
            home.register(config.routes);
            errors.register(config.routes);
        });
    }

    public HttpServer start(int port) {
        javalin.start(port);
        WarmUp.run(javalin.port(), warmUpCredential);
        warming.set(false);
        return this;
    }

    public int port() {
        return javalin.port();
    }

    /** Every route it serves, as {@code GET /tasks/{id}}: what the API's description must cover. */
    public java.util.List<String> routes() {
        return javalin.unsafe.internalRouter.allHttpHandlers().stream()
                .map(route -> route.endpoint.method.name() + " " + route.endpoint.path)
                .toList();
    }

    /** Turns {@code /ready} to 503 first, then stops accepting and waits for in-flight requests. */
    public void stop() {
        draining.set(true);
        javalin.stop();
    }
}
