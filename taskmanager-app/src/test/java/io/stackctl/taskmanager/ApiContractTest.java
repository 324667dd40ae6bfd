package io.stackctl.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiContractTest {

    private static final String TASK = "{\"id\":7,\"title\":\"t\",\"description\":null,\"status\":\"pending\","
            + "\"created_at\":\"2026-12-02T09:00:00Z\",\"updated_at\":\"2026-12-02T09:00:00Z\",\"owner_id\":3}";

    @Test
    void theDocumentIsValidOpenApi31() throws Exception {
        String text = new String(
                ApiContract.class
                        .getClassLoader()
                        .getResourceAsStream(ApiContract.RESOURCE)
                        .readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        var options = new ParseOptions();
        options.setResolve(true);
        var result = new OpenAPIParser().readContents(text, null, options);

        assertThat(result.getMessages()).isEmpty();
        assertThat(result.getOpenAPI().getSpecVersion()).isEqualTo(SpecVersion.V31);
        assertThat(result.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
    }

    @Test
    void anAnswerThatFitsItsRouteHasNoProblem() {
        assertThat(ApiContract.problems(
                        "GET", "/tasks/7", 200, "application/json", "{\"source\":\"cache\",\"task\":" + TASK + "}"))
                .isEmpty();
        assertThat(ApiContract.problems("DELETE", "/tasks/7", 204, "", "")).isEmpty();
        assertThat(ApiContract.problems(
                        "GET", "/tasks/x", 400, "application/json", "{\"error\":\"invalid id\",\"detail\":\"x\"}"))
                .isEmpty();
    }

    @Test
    void aBodyThatDriftsFromTheSchemaIsNamed() {
        String noTitle = TASK.replace("\"title\":\"t\",", "");
        assertThat(ApiContract.problems(
                        "GET", "/tasks/7", 200, "application/json", "{\"source\":\"cache\",\"task\":" + noTitle + "}"))
                .singleElement()
                .asString()
                .contains("title");
        String extraField = TASK.replace("\"id\":7,", "\"id\":7,\"secret\":1,");
        assertThat(ApiContract.problems(
                        "PUT", "/tasks/7", 200, "application/json", "{\"message\":\"m\",\"task\":" + extraField + "}"))
                .isNotEmpty();
        assertThat(ApiContract.problems(
                        "GET", "/tasks", 200, "application/json", "{\"source\":\"disk\",\"count\":0,\"tasks\":[]}"))
                .isNotEmpty();
    }

    @Test
    void anAnswerOfAnUndocumentedShapeOrTypeIsNamed() {
        // 200 is not an answer of DELETE: it falls to "default", whose body is an error
        assertThat(ApiContract.problems("DELETE", "/tasks/7", 200, "application/json", TASK))
                .isNotEmpty();
        assertThat(ApiContract.problems("DELETE", "/tasks/7", 204, "application/json", "{}"))
                .singleElement()
                .asString()
                .contains("without a body");
        assertThat(ApiContract.problems("GET", "/tasks/7", 404, "text/html", "<p>no</p>"))
                .singleElement()
                .asString()
                .contains("text/html");
    }

    @Test
    void requestPathsReachTheTemplateJavalinWouldMatch() {
        assertThat(ApiContract.templateOf("/tasks/12/")).contains("/tasks/{id}");
        assertThat(ApiContract.templateOf("/tasks//12?x=1")).contains("/tasks/{id}");
        assertThat(ApiContract.templateOf("/%74asks")).contains("/tasks");
        assertThat(ApiContract.templateOf("/metrics/")).contains("/metrics");
        assertThat(ApiContract.templateOf("/ui/login")).isEqualTo(Optional.empty());
        assertThat(ApiContract.templateOf("/tasks/1/2")).isEmpty();
    }
}
