package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackctl.taskmanager.task.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;

/**
 * The HTML of the page: a layout that works from a phone up (viewport, wrapping titles, full-width fields), labelled
 * fields, buttons named for the task they act on, and errors a person can read. Every text from a task or a form is
 * escaped here; handlers never write markup.
 */
final class PageHtml {

    static final Map<TaskStatus, String> LABELS = Map.of(
            TaskStatus.PENDING, "Pending",
            TaskStatus.IN_PROGRESS, "In progress",
            TaskStatus.COMPLETED, "Completed");

    private static final String STYLE = """
            *{box-sizing:border-box}
            body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f6f6f8}
            main{max-width:46rem;margin:0 auto;padding:1rem}
            h1{margin:.2rem 0}h2{font-size:1.1rem;margin:0 0 .5rem}
            .meta{color:#555;margin:.2rem 0 1rem;font-size:.9rem}
            form.card,.task,.empty{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:.8rem;margin:.8rem 0}
            label{display:block;font-weight:600;margin:.5rem 0 .2rem}
            .optional{font-weight:400;color:#666}
            input[type=text],input[type=email],input[type=password],textarea,select{width:100%;font:inherit;padding:.45rem;border:1px solid #aaa;border-radius:.3rem}
            textarea{min-height:4.5rem;resize:vertical}
            button,.button{font:inherit;min-height:2.5rem;padding:.35rem .9rem;border-radius:.3rem;border:1px solid #2a5bd7;
              background:#2a5bd7;color:#fff;cursor:pointer;text-decoration:none;display:inline-flex;align-items:center}
            .secondary{background:#fff;color:#2a5bd7}.danger{background:#fff;color:#b3261e;border-color:#b3261e}
            .submit{margin-top:.7rem}
            form.account{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;justify-content:flex-end;margin:0}
            .error{background:#fdecea;border:1px solid #b3261e;color:#7a1a14;border-radius:.5rem;padding:.7rem;margin:.8rem 0}
            ul.tasks{list-style:none;padding:0;margin:0}
            .task h3{margin:0;font-size:1.05rem;overflow-wrap:anywhere;flex:1 1 auto;min-width:0}
            .task .head{display:flex;gap:.5rem;align-items:flex-start}
            .task.completed h3{text-decoration:line-through;color:#666}
            .badge{font-size:.8rem;border-radius:1rem;padding:.1rem .6rem;white-space:nowrap;border:1px solid #999}
            .badge.pending{background:#fff4d6}.badge.in_progress{background:#dcebff}.badge.completed{background:#dff3e3}
            .description{white-space:pre-wrap;overflow-wrap:anywhere;margin:.4rem 0}
            .when{color:#666;font-size:.85rem;margin:.3rem 0}
            .actions{display:flex;flex-wrap:wrap;gap:.4rem;margin-top:.5rem}.actions form{margin:0}
            nav.filter,nav.pages{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin:.8rem 0}
            nav a[aria-current]{font-weight:700;color:#1d1d1f;text-decoration:none}
            """;

    private static final String STYLE_HASH = "sha256-" + sha256Base64(STYLE);

    private PageHtml() {}

    /** The stylesheet's hash: the Content-Security-Policy allows this stylesheet and no other. */
    static String styleHash() {
        return STYLE_HASH;
    }

    /** The page frame around {@code body}. */
    static String layout(String title, String body) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + escape(title) + "</title><style>" + STYLE + "</style></head><body><main>" + body
                + "</main></body></html>";
    }

    static String errorBox(String heading, String message) {
        return "<div class=\"error\" role=\"alert\"><strong>" + escape(heading) + "</strong> " + escape(message)
                + "</div>";
    }

    /** One labelled input; {@code autocomplete} lets password managers fill the right field. */
    static String field(String id, String name, String label, String type, String value, String autocomplete) {
        return "<label for=\"" + id + "\">" + escape(label) + "</label><input type=\"" + type + "\" id=\"" + id
                + "\" name=\"" + name + "\" required autocomplete=\"" + autocomplete + "\" value=\"" + escape(value)
                + "\">";
    }

    /** Title, description and status fields, filled with what the person typed (kept after an error). */
    static String taskFields(String title, String description, TaskStatus status) {
        var html = new StringBuilder()
                .append("<label for=\"title\">Title</label>")
                .append("<input type=\"text\" id=\"title\" name=\"title\" maxlength=\"")
                .append(TaskRequestParser.MAX_TITLE_CHARS)
                .append("\" required value=\"")
                .append(escape(title))
                .append("\">")
                .append("<label for=\"description\">Description <span class=\"optional\">(optional)</span></label>")
                .append("<textarea id=\"description\" name=\"description\" maxlength=\"")
                .append(TaskRequestParser.MAX_DESCRIPTION_CHARS)
                .append("\">")
                .append(escape(description))
                .append("</textarea>")
                .append("<label for=\"status\">Status</label><select id=\"status\" name=\"status\">");
        for (TaskStatus option : TaskStatus.values()) {
            html.append("<option value=\"")
                    .append(option.wire())
                    .append(option == status ? "\" selected>" : "\">")
                    .append(LABELS.get(option))
                    .append("</option>");
        }
        return html.append("</select>").toString();
    }

    /** One task: title, status, description, times, and its actions, each button named for this task. */
    static String taskItem(JsonNode task, String back, String guard) {
        long id = task.get("id").asLong();
        String title = task.get("title").asText();
        TaskStatus status = TaskStatus.fromWire(task.get("status").asText()).orElse(TaskStatus.PENDING);
        var html = new StringBuilder()
                .append("<li class=\"task ")
                .append(status.wire())
                .append("\" id=\"task-")
                .append(id)
                .append("\"><div class=\"head\"><h3>")
                .append(escape(title))
                .append("</h3><span class=\"badge ")
                .append(status.wire())
                .append("\">")
                .append(LABELS.get(status))
                .append("</span></div>");
        JsonNode description = task.get("description");
        if (description != null
                && !description.isNull()
                && !description.asText().isBlank()) {
            html.append("<p class=\"description\">")
                    .append(escape(description.asText()))
                    .append("</p>");
        }
        html.append("<p class=\"when\">Added ")
                .append(escape(shortTime(task.get("created_at").asText())))
                .append(" UTC</p><div class=\"actions\">");
        if (status == TaskStatus.PENDING) {
            html.append(statusButton(id, title, TaskStatus.IN_PROGRESS, "Start", back, guard));
        }
        if (status != TaskStatus.COMPLETED) {
            html.append(statusButton(id, title, TaskStatus.COMPLETED, "Complete", back, guard));
        } else {
            html.append(statusButton(id, title, TaskStatus.PENDING, "Reopen", back, guard));
        }
        html.append("<a class=\"button secondary\" href=\"/ui/tasks/")
                .append(id)
                .append("/edit\" aria-label=\"Edit task: ")
                .append(escape(title))
                .append("\">Edit</a>")
                .append(postButton(
                        "/ui/tasks/" + id + "/delete", "Delete", "Delete task: " + title, "danger", back, guard))
                .append("</div></li>");
        return html.toString();
    }

    private static String statusButton(long id, String title, TaskStatus to, String label, String back, String guard) {
        String hidden = guard + "<input type=\"hidden\" name=\"status\" value=\"" + to.wire() + "\">";
        return postButton("/ui/tasks/" + id + "/status", label, label + " task: " + title, "secondary", back, hidden);
    }

    private static String postButton(
            String action, String label, String accessibleName, String style, String back, String hidden) {
        return "<form method=\"post\" action=\"" + action + "\">" + hidden
                + "<input type=\"hidden\" name=\"back\" value=\"" + escape(back) + "\">"
                + "<button class=\"" + style + "\" aria-label=\"" + escape(accessibleName) + "\">" + label
                + "</button></form>";
    }

    /** {@code 2026-12-01T13:02:19.123456Z} as {@code 2026-12-01 13:02}. */
    static String shortTime(String iso) {
        return iso.length() >= 16 ? iso.substring(0, 10) + " " + iso.substring(11, 16) : iso;
    }

    /** An error page for the page's own routes: a person gets HTML, not the API's JSON. */
    static String errorPage(int status, String error, String message) {
        String body = "<h1>" + status + " " + escape(capitalize(error)) + "</h1>" + errorBox("", message)
                + "<p><a class=\"button secondary\" href=\"/\">Back to the tasks</a></p>";
        return layout(status + " " + capitalize(error), body);
    }

    private static String sha256Base64(String text) {
        try {
            return Base64.getEncoder()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static String capitalize(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
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
