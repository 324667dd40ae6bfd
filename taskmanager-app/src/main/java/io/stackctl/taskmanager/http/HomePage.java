package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.stackctl.taskmanager.db.TaskRepository;
import io.stackctl.taskmanager.task.Task;
import io.stackctl.taskmanager.task.TaskPatch;
import io.stackctl.taskmanager.task.TaskQuery;
import io.stackctl.taskmanager.task.TaskService;
import io.stackctl.taskmanager.task.TaskStatus;
import java.util.Optional;

/**
 * {@code GET /}: a small HTML page listing the newest tasks, showing the serving replica, with forms to add,
 * complete and delete. Changes are POSTs (never GETs) answered with 303 back to the page.
 */
final class HomePage {

    static final int SHOWN = 50;

    private final String instance;
    private final TaskRepository repository;
    private final TaskService service;
    private final TaskRequestParser parser;
    private final ObjectMapper json;

    HomePage(
            String instance,
            TaskRepository repository,
            TaskService service,
            TaskRequestParser parser,
            ObjectMapper json) {
        this.instance = instance;
        this.repository = repository;
        this.service = service;
        this.parser = parser;
        this.json = json;
    }

    void register(RoutesConfig routes) {
        routes.get("/", ctx -> render(ctx, 200, null));
        routes.post("/ui/tasks", this::add);
        routes.post("/ui/tasks/{id}/complete", this::complete);
        routes.post("/ui/tasks/{id}/delete", this::delete);
    }

    private void add(Context ctx) throws Exception {
        var fields = json.createObjectNode();
        fields.put("title", Optional.ofNullable(ctx.formParam("title")).orElse(""));
        String description = ctx.formParam("description");
        if (description != null && !description.isBlank()) {
            fields.put("description", description);
        }
        try {
            service.create(parser.parseCreate(fields));
        } catch (ApiException e) {
            render(ctx, 400, "Not added: " + e.detail());
            return;
        }
        ctx.redirect("/", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void complete(Context ctx) throws Exception {
        long id = TaskRequestParser.parseId(ctx.pathParam("id"));
        var patch = new TaskPatch(Optional.empty(), Optional.empty(), false, Optional.of(TaskStatus.COMPLETED));
        service.update(id, patch);
        ctx.redirect("/", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void delete(Context ctx) throws Exception {
        service.delete(TaskRequestParser.parseId(ctx.pathParam("id")));
        ctx.redirect("/", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void render(Context ctx, int status, String error) throws Exception {
        var tasks = repository.list(new TaskQuery(Optional.empty(), SHOWN, 0));
        var html = new StringBuilder(4096)
                .append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>Tasks</title><style>body{font-family:sans-serif;max-width:50em;margin:2em auto}")
                .append("li{margin:.4em 0}.completed{text-decoration:line-through;color:#777}")
                .append("form.inline{display:inline}</style></head><body>")
                .append("<h1>Tasks</h1><p>Served by instance <code>")
                .append(escape(instance))
                .append("</code></p>");
        if (error != null) {
            html.append("<p role=\"alert\" style=\"color:#b00\">")
                    .append(escape(error))
                    .append("</p>");
        }
        html.append("<form method=\"post\" action=\"/ui/tasks\">")
                .append("<input name=\"title\" maxlength=\"200\" required placeholder=\"Title\"> ")
                .append("<input name=\"description\" maxlength=\"10000\" placeholder=\"Description\"> ")
                .append("<button>Add</button></form><ul>");
        for (Task task : tasks) {
            html.append("<li class=\"")
                    .append(task.status().wire())
                    .append("\">")
                    .append(escape(task.title()))
                    .append(" <small>[")
                    .append(task.status().wire())
                    .append("]</small> ");
            if (task.status() != TaskStatus.COMPLETED) {
                html.append(button(task.id(), "complete", "Complete"));
            }
            html.append(button(task.id(), "delete", "Delete")).append("</li>");
        }
        html.append("</ul></body></html>");
        ctx.status(status).html(html.toString());
    }

    private static String button(long id, String action, String label) {
        return "<form class=\"inline\" method=\"post\" action=\"/ui/tasks/" + id + "/" + action + "\"><button>" + label
                + "</button></form> ";
    }

    static String escape(String text) {
        var out = new StringBuilder(text.length() + 16);
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
