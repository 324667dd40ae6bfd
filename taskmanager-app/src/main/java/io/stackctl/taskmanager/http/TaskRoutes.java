package io.stackctl.taskmanager.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.stackctl.taskmanager.cache.TaskCache;
import io.stackctl.taskmanager.db.TaskRepository;
import io.stackctl.taskmanager.http.TaskEncoder.Source;
import io.stackctl.taskmanager.task.KeyedCreate;
import io.stackctl.taskmanager.task.Scope;
import io.stackctl.taskmanager.task.Task;
import io.stackctl.taskmanager.task.TaskQuery;
import io.stackctl.taskmanager.task.TaskService;
import java.util.List;

/**
 * {@code /tasks}: cache-aside reads, writes that invalidate the cache after the database commits. Everything is
 * within the caller's {@link Scope}: another user's task is answered 404, exactly like one that does not exist.
 */
public final class TaskRoutes {

    static final String CACHE_HEADER = "X-Cache";

    private final TaskRepository repository;
    private final TaskCache cache;
    private final TaskService service;
    private final TaskRequestParser parser;
    private final TaskEncoder encoder;

    TaskRoutes(
            TaskRepository repository,
            TaskCache cache,
            TaskService service,
            TaskRequestParser parser,
            TaskEncoder encoder) {
        this.repository = repository;
        this.cache = cache;
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
        Scope scope = AuthGate.principal(ctx).scope();
        var lookup = cache.list(scope, query);
        if (lookup.cached() != null) {
            read(ctx, true, encoder.listAnswer(Source.CACHE, lookup.cached()));
            return;
        }
        List<Task> tasks = repository.list(scope, query);
        byte[] members = encoder.listMembers(tasks);
        cache.putList(lookup, members);
        read(ctx, false, encoder.listAnswer(Source.DATABASE, members));
    }

    private void get(Context ctx) throws Exception {
        long id = TaskRequestParser.parseId(ctx.pathParam("id"));
        Scope scope = AuthGate.principal(ctx).scope();
        var cached = cache.task(scope.userId(), id);
        if (cached.isPresent()) {
            read(ctx, true, encoder.taskAnswer(Source.CACHE, cached.get()));
            return;
        }
        Task task = repository.find(scope, id).orElseThrow(() -> ApiException.taskNotFound(id));
        byte[] json = encoder.task(task);
        // Under its owner's key, also when an admin read it: only the owner's lookups can find it there.
        cache.putTask(task.ownerId(), id, json);
        read(ctx, false, encoder.taskAnswer(Source.DATABASE, json));
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
                        "this key was used for a different task within " + TaskRepository.KEY_TTL_HOURS
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
