package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.stackctl.taskmanager.cache.TaskCache;
import io.stackctl.taskmanager.db.Database;
import io.stackctl.taskmanager.db.TaskRepository;
import io.stackctl.taskmanager.task.TaskService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.handler.GracefulHandler;

/** The Javalin server with every route of the API; stopping it lets in-flight requests finish. */
public final class HttpServer {

    /** How long a stop waits for in-flight requests before it gives up on them. */
    static final long STOP_TIMEOUT_MS = 20_000;

    private final Javalin javalin;
    private final AtomicBoolean draining = new AtomicBoolean();

    public HttpServer(String instance, Database database, TaskCache cache, RequestLogPolicy logPolicy) {
        ObjectMapper json = Json.mapper();
        var repository = new TaskRepository(database.dataSource());
        var service = new TaskService(repository, cache);
        var parser = new TaskRequestParser(json);
        var metrics = new Metrics(database, cache);
        var tasks = new TaskRoutes(repository, cache, service, parser, new TaskEncoder(json));
        var health = new HealthRoutes(instance, database, cache, draining::get, json);
        var ops = new OpsRoutes(instance, cache, metrics, json);
        var home = new HomePage(instance, repository, service, parser, json);
        var errors = new ErrorMapper(json);
        var requestLog = new RequestLog(instance, metrics, logPolicy);
        this.javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.prefer405over404 = true;
            config.http.maxRequestSize = JsonBody.MAX_BYTES;
            config.jetty.modifyServer(server -> {
                server.setStopTimeout(STOP_TIMEOUT_MS);
                server.insertHandler(new GracefulHandler());
            });
            requestLog.register(config);
            tasks.register(config.routes);
            health.register(config.routes);
            ops.register(config.routes);
            home.register(config.routes);
            errors.register(config.routes);
        });
    }

    public HttpServer start(int port) {
        javalin.start(port);
        return this;
    }

    public int port() {
        return javalin.port();
    }

    /** Turns {@code /ready} to 503 first, then stops accepting and waits for in-flight requests. */
    public void stop() {
        draining.set(true);
        javalin.stop();
    }
}
