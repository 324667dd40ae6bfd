package io.stackctl.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The API's description is served, and it covers exactly the routes the running app serves. */
class OpenApiIT {

    private static TestStack stack;

    @BeforeAll
    static void start() {
        stack = TestStack.start("it-openapi", 0, 0);
    }

    @AfterAll
    static void stop() {
        TestStack.close(stack);
    }

    @Test
    void theDocumentIsServedToAnyoneAsTheJarHoldsIt() throws Exception {
        var response = stack.api.withToken(null).get("/openapi.json");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(Api.json(response)).isEqualTo(ApiContract.DOCUMENT);
    }

    @Test
    void everyRouteOfTheApiIsDescribedAndEveryDescribedRouteRuns() {
        List<String> served = stack.app.routes().stream()
                // before/after handlers are no routes; the page (/ and /ui/...) answers people in HTML, not the API
                .filter(route -> route.matches("(GET|HEAD|POST|PUT|PATCH|DELETE) .*"))
                .filter(route -> !route.endsWith(" /") && !route.contains(" /ui/"))
                .sorted()
                .toList();
        List<String> described = new ArrayList<>();
        ApiContract.DOCUMENT
                .path("paths")
                .fields()
                .forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
                    if (List.of("get", "head", "put", "post", "delete", "patch").contains(method)) {
                        described.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
                    }
                }));

        assertThat(served).isNotEmpty().containsExactlyInAnyOrderElementsOf(described);
    }
}
