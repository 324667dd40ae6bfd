package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.stackctl.taskmanager.auth.Principal;
import io.stackctl.taskmanager.service.TaskService;
import io.stackctl.taskmanager.task.Scope;
import io.stackctl.taskmanager.task.TaskPatch;
import io.stackctl.taskmanager.task.TaskQuery;
import io.stackctl.taskmanager.task.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /}: the page a person uses. It lists the tasks newest first, 20 a page, filtered by status, with the
 * count, which replica answered and whether the list came from the cache or the database; it adds, edits, starts,
 * completes, reopens and deletes tasks. Changes are POSTs answered with 303 back to where the person was; a refused
 * form is shown again with what they typed and a sentence saying what to fix. A person logs in (or registers) on
 * the same page and sees only their own tasks; an admin sees everyone's.
 */
final class HomePage {

    static final int PAGE_SIZE = 20;
    private static final int MAX_PAGE = TaskQuery.MAX_OFFSET / PAGE_SIZE;

    private final String instance;
    private final TaskService service;
    private final TaskRequestParser parser;
    private final ObjectMapper json;
    private final LoginPage loginPage;

    HomePage(String instance, TaskService service, TaskRequestParser parser, ObjectMapper json, LoginPage loginPage) {
        this.instance = instance;
        this.service = service;
        this.parser = parser;
        this.json = json;
        this.loginPage = loginPage;
    }

    /** What a form held, shown again when it was refused. */
    record Form(String title, String description, TaskStatus status) {
        static final Form EMPTY = new Form("", "", TaskStatus.PENDING);

        static Form of(Context ctx) {
            return new Form(
                    Optional.ofNullable(ctx.formParam("title")).orElse(""),
                    Optional.ofNullable(ctx.formParam("description")).orElse(""),
                    TaskStatus.fromWire(
                                    Optional.ofNullable(ctx.formParam("status")).orElse(""))
                            .orElse(TaskStatus.PENDING));
        }
    }

    void register(RoutesConfig routes) {
        routes.get("/", this::home);
        loginPage.register(routes);
        routes.post("/ui/tasks", ctx -> signedIn(ctx, scope -> add(ctx, scope)));
        routes.get(
                "/ui/tasks/{id}/edit", ctx -> signedIn(ctx, scope -> renderEdit(ctx, scope, 200, id(ctx), null, null)));
        routes.post("/ui/tasks/{id}", ctx -> signedIn(ctx, scope -> edit(ctx, scope)));
        routes.post("/ui/tasks/{id}/status", ctx -> signedIn(ctx, scope -> changeStatus(ctx, scope)));
        routes.post("/ui/tasks/{id}/delete", ctx -> signedIn(ctx, scope -> delete(ctx, scope)));
    }

    private interface ScopedHandler {
        void handle(Scope scope) throws Exception;
    }

    /** A page action for the logged-in person; without a session (or with an expired one) back to the login. */
    private static void signedIn(Context ctx, ScopedHandler handler) throws Exception {
        var principal = AuthGate.sessionPrincipal(ctx);
        if (principal.isEmpty()) {
            ctx.redirect("/", HttpStatus.SEE_OTHER);
            return;
        }
        handler.handle(principal.get().scope());
    }

    private void home(Context ctx) throws Exception {
        var principal = AuthGate.sessionPrincipal(ctx);
        if (principal.isEmpty()) {
            loginPage.show(ctx);
        } else {
            renderList(ctx, principal.get(), 200, null, Form.EMPTY);
        }
    }

    private void add(Context ctx, Scope scope) throws Exception {
        var form = Form.of(ctx);
        ObjectNode fields = json.createObjectNode()
                .put("title", form.title())
                .put("status", form.status().wire());
        if (!form.description().isBlank()) {
            fields.put("description", form.description());
        }
        try {
            service.create(scope, parser.parseCreate(fields));
        } catch (ApiException e) {
            renderList(
                    ctx, AuthGate.sessionPrincipal(ctx).orElseThrow(), e.status(), "Not added: " + readable(e), form);
            return;
        }
        ctx.redirect(back(ctx), HttpStatus.SEE_OTHER);
    }

    private void edit(Context ctx, Scope scope) throws Exception {
        long id = id(ctx);
        var form = Form.of(ctx);
        ObjectNode fields = json.createObjectNode()
                .put("title", form.title())
                .put("status", form.status().wire());
        if (form.description().isBlank()) {
            fields.putNull("description");
        } else {
            fields.put("description", form.description());
        }
        try {
            service.update(scope, id, parser.parseUpdate(fields)).orElseThrow(() -> ApiException.taskNotFound(id));
        } catch (ApiException e) {
            if (e.status() == 404) {
                throw e;
            }
            renderEdit(ctx, scope, e.status(), id, form, "Not saved: " + readable(e));
            return;
        }
        ctx.redirect("/", HttpStatus.SEE_OTHER);
    }

    private void changeStatus(Context ctx, Scope scope) throws Exception {
        long id = id(ctx);
        TaskStatus status = TaskStatus.fromWire(
                        Optional.ofNullable(ctx.formParam("status")).orElse(""))
                .orElseThrow(() -> ApiException.invalidField("status", "must be one of " + TaskStatus.ALLOWED));
        var patch = new TaskPatch(Optional.empty(), Optional.empty(), false, Optional.of(status));
        service.update(scope, id, patch).orElseThrow(() -> ApiException.taskNotFound(id));
        ctx.redirect(back(ctx), HttpStatus.SEE_OTHER);
    }

    private void delete(Context ctx, Scope scope) throws Exception {
        service.delete(scope, id(ctx)); // already gone is fine: the person wanted it gone
        ctx.redirect(back(ctx), HttpStatus.SEE_OTHER);
    }

    private void renderList(Context ctx, Principal principal, int status, String error, Form form) throws Exception {
        Scope scope = principal.scope();
        Optional<TaskStatus> filter = TaskStatus.fromWire(
                Optional.ofNullable(ctx.queryParam("status")).orElse(""));
        Map<TaskStatus, Long> counts = service.countByStatus(scope);
        long all = counts.values().stream().mapToLong(Long::longValue).sum();
        long total = filter.map(s -> counts.getOrDefault(s, 0L)).orElse(all);
        int pages = (int) Math.max(1, Math.min(MAX_PAGE, (total + PAGE_SIZE - 1) / PAGE_SIZE));
        int page = Math.min(pages, pageParam(ctx.queryParam("page")));
        var query = new TaskQuery(filter, PAGE_SIZE, (page - 1) * PAGE_SIZE);
        var read = read(scope, query);
        String here = path(filter, page);

        var body = new StringBuilder(8192)
                .append(signedInBar(principal, PageGuard.field(ctx)))
                .append("<h1>Tasks</h1><p class=\"meta\">Served by replica <code>")
                .append(PageHtml.escape(instance))
                .append("</code> · this list was read from the <strong>")
                .append(read.fromCache() ? "cache" : "database")
                .append("</strong></p>");
        if (error != null) {
            body.append(PageHtml.errorBox("", error));
        }
        body.append("<form class=\"card\" method=\"post\" action=\"/ui/tasks\"><h2>Add a task</h2>")
                .append(PageGuard.field(ctx))
                .append("<input type=\"hidden\" name=\"back\" value=\"")
                .append(PageHtml.escape(here))
                .append("\">")
                .append(PageHtml.taskFields(form.title(), form.description(), form.status()))
                .append("<button class=\"submit\" type=\"submit\">Add task</button></form>")
                .append(filterNav(filter, counts, all));
        JsonNode tasks = read.tasks();
        if (tasks.isEmpty()) {
            body.append("<p class=\"empty\">")
                    .append(
                            filter.isPresent()
                                    ? "No " + PageHtml.LABELS.get(filter.get()).toLowerCase() + " tasks."
                                    : "No tasks yet: add the first one above.")
                    .append("</p>");
        } else {
            long first = (long) (page - 1) * PAGE_SIZE + 1;
            body.append("<p class=\"meta\">Showing ")
                    .append(first)
                    .append("–")
                    .append(first + tasks.size() - 1)
                    .append(" of ")
                    .append(total)
                    .append(total == 1 ? " task" : " tasks")
                    .append("</p><ul class=\"tasks\">");
            String guard = PageGuard.field(ctx);
            tasks.forEach(task -> body.append(PageHtml.taskItem(task, here, guard)));
            body.append("</ul>").append(pageNav(filter, page, pages));
        }
        ctx.status(status).html(PageHtml.layout("Tasks", body.toString()));
    }

    private void renderEdit(Context ctx, Scope scope, int status, long id, Form typed, String error) throws Exception {
        var task = service.find(scope, id).orElseThrow(() -> ApiException.taskNotFound(id));
        var form = typed != null
                ? typed
                : new Form(task.title(), Optional.ofNullable(task.description()).orElse(""), task.status());
        var body = new StringBuilder()
                .append("<h1>Edit task</h1><p class=\"meta\"><a href=\"/\">Back to the tasks</a></p>");
        if (error != null) {
            body.append(PageHtml.errorBox("", error));
        }
        body.append("<form class=\"card\" method=\"post\" action=\"/ui/tasks/")
                .append(id)
                .append("\">")
                .append(PageGuard.field(ctx))
                .append(PageHtml.taskFields(form.title(), form.description(), form.status()))
                .append("<button class=\"submit\" type=\"submit\">Save changes</button></form>");
        ctx.status(status).html(PageHtml.layout("Edit: " + task.title(), body.toString()));
    }

    private record Read(JsonNode tasks, boolean fromCache) {}

    /** The same read as {@code GET /tasks}: the page shows where its list came from. */
    private Read read(Scope scope, TaskQuery query) throws Exception {
        var read = service.list(scope, query);
        String object = "{" + new String(read.json(), StandardCharsets.UTF_8) + "}";
        return new Read(json.readTree(object).get("tasks"), read.fromCache());
    }

    /** Who is logged in, with the way out; nothing when authentication is off (everyone is the default owner). */
    private static String signedInBar(Principal principal, String guard) {
        if (principal.equals(Principal.DEFAULT_OWNER)) {
            return "";
        }
        return "<form class=\"account\" method=\"post\" action=\"/ui/logout\">" + guard + "<span>Signed in as <strong>"
                + PageHtml.escape(principal.username()) + "</strong>"
                + (principal.isAdmin() ? " (admin: every user's tasks)" : "")
                + "</span><button class=\"secondary\" type=\"submit\">Log out</button></form>";
    }

    private static String filterNav(Optional<TaskStatus> filter, Map<TaskStatus, Long> counts, long all) {
        var nav = new StringBuilder("<nav class=\"filter\" aria-label=\"Show tasks by status\">")
                .append(link("/", "All (" + all + ")", filter.isEmpty()));
        for (TaskStatus status : TaskStatus.values()) {
            nav.append(link(
                    path(Optional.of(status), 1),
                    PageHtml.LABELS.get(status) + " (" + counts.getOrDefault(status, 0L) + ")",
                    filter.equals(Optional.of(status))));
        }
        return nav.append("</nav>").toString();
    }

    private static String pageNav(Optional<TaskStatus> filter, int page, int pages) {
        if (pages == 1) {
            return "";
        }
        var nav = new StringBuilder("<nav class=\"pages\" aria-label=\"Pages\">");
        if (page > 1) {
            nav.append("<a rel=\"prev\" href=\"").append(path(filter, page - 1)).append("\">← Newer</a>");
        }
        nav.append("<span>Page ").append(page).append(" of ").append(pages).append("</span>");
        if (page < pages) {
            nav.append("<a rel=\"next\" href=\"").append(path(filter, page + 1)).append("\">Older →</a>");
        }
        return nav.append("</nav>").toString();
    }

    private static String link(String href, String text, boolean current) {
        return "<a href=\"" + PageHtml.escape(href) + "\"" + (current ? " aria-current=\"page\"" : "") + ">"
                + PageHtml.escape(text) + "</a>";
    }

    static String path(Optional<TaskStatus> filter, int page) {
        String query = filter.map(s -> "status=" + s.wire()).orElse("");
        if (page > 1) {
            query = query.isEmpty() ? "page=" + page : query + "&page=" + page;
        }
        return query.isEmpty() ? "/" : "/?" + query;
    }

    /** A page number from the address bar: anything odd is the first page, not an error. */
    static int pageParam(String raw) {
        if (raw == null || !raw.matches("[0-9]{1,6}")) {
            return 1;
        }
        return Math.max(1, Math.min(MAX_PAGE, Integer.parseInt(raw)));
    }

    /** Where to go after a change: the list the person was on; never another site. */
    static String back(Context ctx) {
        String back = ctx.formParam("back");
        return back != null && back.matches("/(\\?[a-z_]+=[a-z_0-9]+(&[a-z_]+=[a-z_0-9]+)*)?") ? back : "/";
    }

    private static long id(Context ctx) {
        return TaskRequestParser.parseId(ctx.pathParam("id"));
    }

    /** "Title must be ..." rather than the API's {@code {field=title, reason=...}}. */
    static String readable(ApiException e) {
        if (e.detail() instanceof Map<?, ?> detail && detail.get("field") != null && detail.get("reason") != null) {
            return PageHtml.capitalize(String.valueOf(detail.get("field"))) + " " + detail.get("reason") + ".";
        }
        if (e.detail() instanceof String text && !text.isBlank()) {
            return PageHtml.capitalize(e.error()) + ": " + text + ".";
        }
        return PageHtml.capitalize(e.error()) + ".";
    }
}
