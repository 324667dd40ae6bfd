package io.stackctl.taskmanager.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.stackctl.taskmanager.db.TaskRepository;
import io.stackctl.taskmanager.http.TaskEncoder.Source;
import io.stackctl.taskmanager.service.TaskService;
import io.stackctl.taskmanager.task.KeyedCreate;
import io.stackctl.taskmanager.task.Scope;
import io.stackctl.taskmanager.task.Task;
import io.stackctl.taskmanager.task.TaskQuery;

/**
 * {@code /tasks}: the {@link TaskService}'s reads and writes as JSON answers. Everything is within the caller's
 * {@link Scope}: another user's task is answered 404, exactly like one that does not exist.
 */
public final class TaskRoutes {

    static final String CACHE_HEADER = "X-Cache";

    private final TaskService service;
    private final TaskRequestParser parser;
    private final TaskEncoder encoder;

    TaskRoutes(TaskService service, TaskRequestParser parser, TaskEncoder encoder) {
        this.service = service;
        this.parser = parser;
        this.encoder = encoder;
    }

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    void register(RoutesConfig routes) {
        routes.get("/tasks", this::list);
        routes.post("/tasks", this::create);
        routes.get("/tasks/{id}", this::get);
        routes.put("/tasks/{id}", this::update);
        routes.delete("/tasks/{id}", this::delete);
    }

    private void list(Context ctx) throws Exception {
        TaskQuery query = TaskRequestParser.parseQuery(
                ctx.queryParam("status"), ctx.queryParam("limit"), ctx.queryParam("offset"));
        var read = service.list(AuthGate.principal(ctx).scope(), query);
        read(ctx, read.fromCache(), encoder.listAnswer(Source.of(read), read.json()));
    }

    private void get(Context ctx) throws Exception {
        long id = TaskRequestParser.parseId(ctx.pathParam("id"));
        var read = service.read(AuthGate.principal(ctx).scope(), id).orElseThrow(() -> ApiException.taskNotFound(id));
        read(ctx, read.fromCache(), encoder.taskAnswer(Source.of(read), read.json()));
    }

    private void create(Context ctx) throws Exception {
        var key = TaskRequestParser.parseIdempotencyKey(ctx.header(IDEMPOTENCY_KEY));
        var request = parser.parseCreate(JsonBody.read(ctx));
        Scope scope = AuthGate.principal(ctx).scope();
        if (key.isEmpty()) {
            created(ctx, service.create(scope, request));
            return;
        }
        KeyedCreate outcome = service.createOnce(scope, request, key.get());
        switch (outcome.result()) {
            case CREATED -> created(ctx, outcome.task());
            case REPLAYED -> {
                // The same answer as the first time, marked so a client can tell (IETF httpapi draft).
                ctx.header("Idempotent-Replayed", "true");
                created(ctx, outcome.task());
            }
            case KEY_REUSED ->
                throw new ApiException(
                        422,
                        "Idempotency-Key reused",
                        "this key was used for a different task within "
                                + TaskRepository.KEY_TTL_HOURS
                                + " h; send a new key for a new task");
        }
    }

    private void created(Context ctx, Task task) throws Exception {
        ctx.header("Location", "/tasks/" + task.id());
        write(ctx, 201, encoder.message("task created", task));
    }

    private void update(Context ctx) throws Exception {
        long id = TaskRequestParser.parseId(ctx.pathParam("id"));
        var patch = parser.parseUpdate(JsonBody.read(ctx));
        Task task = service.update(AuthGate.principal(ctx).scope(), id, patch)
                .orElseThrow(() -> ApiException.taskNotFound(id));
        write(ctx, 200, encoder.message("task updated", task));
    }

    private void delete(Context ctx) throws Exception {
        long id = TaskRequestParser.parseId(ctx.pathParam("id"));
        if (!service.delete(AuthGate.principal(ctx).scope(), id)) {
            throw ApiException.taskNotFound(id);
        }
        ctx.status(204);
    }

    private static void read(Context ctx, boolean hit, byte[] body) {
        String cacheResult = hit ? "HIT" : "MISS";
        ctx.header(CACHE_HEADER, cacheResult);
        ctx.attribute(RequestLog.CACHE_ATTRIBUTE, cacheResult);
        write(ctx, 200, body);
    }

    private static void write(Context ctx, int status, byte[] body) {
        ctx.status(status).contentType("application/json").result(body);
    }
}
