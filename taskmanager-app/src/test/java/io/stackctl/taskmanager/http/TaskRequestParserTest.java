package io.stackctl.taskmanager.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.taskmanager.task.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TaskRequestParserTest {

    private final TaskRequestParser parser = new TaskRequestParser(Json.mapper());

    private static byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void createDefaultsStatusToPendingAndDescriptionToNull() {
        var task = parser.parseCreate(body("{\"title\":\"Ship it\"}"));

        assertThat(task.title()).isEqualTo("Ship it");
        assertThat(task.description()).isNull();
        assertThat(task.status()).isEqualTo(TaskStatus.PENDING);
    }

    @Test
    void createKeepsUnicodeAndSqlMetacharactersVerbatim() {
        String title = "Robert'); DROP TABLE tasks;-- 😀 ünïcödé";

        var task = parser.parseCreate(body("{\"title\":\"" + title + "\",\"status\":\"in_progress\"}"));

        assertThat(task.title()).isEqualTo(title);
        assertThat(task.status()).isEqualTo(TaskStatus.IN_PROGRESS);
    }

    @Test
    void titleLengthCountsCharactersNotUtf16Units() {
        String twoHundredEmoji = "😀".repeat(TaskRequestParser.MAX_TITLE_CHARS);

        assertThat(parser.parseCreate(body("{\"title\":\"" + twoHundredEmoji + "\"}"))
                        .title())
                .isEqualTo(twoHundredEmoji);
    }

    @ParameterizedTest(name = "{0} -> field {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{}                                         | title",
                "{\"title\":null}                           | title",
                "{\"title\":42}                             | title",
                "{\"title\":true}                           | title",
                "{\"title\":[\"a\"]}                        | title",
                "{\"title\":{\"a\":1}}                      | title",
                "{\"title\":\"\"}                           | title",
                "{\"title\":\"   \"}                        | title",
                "{\"title\":\"a\\u0000b\"}                  | title",
                "{\"title\":\"\\ud800\"}                    | title",
                "{\"title\":\"x\",\"status\":\"done\"}      | status",
                "{\"title\":\"x\",\"status\":\"PENDING\"}   | status",
                "{\"title\":\"x\",\"status\":null}          | status",
                "{\"title\":\"x\",\"status\":1}             | status",
                "{\"title\":\"x\",\"description\":5}        | description",
                "{\"title\":\"x\",\"id\":5}                 | id",
                "{\"title\":\"x\",\"created_at\":\"now\"}   | created_at",
            })
    void createRejectsAnInvalidFieldNamingIt(String json, String field) {
        assertThatThrownBy(() -> parser.parseCreate(body(json))).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.detail()).isInstanceOf(Map.class);
            assertThat(((Map<?, ?>) e.detail()).get("field")).isEqualTo(field);
        });
    }

    @Test
    void createRejectsATitleOverTheLimit() {
        String title = "t".repeat(TaskRequestParser.MAX_TITLE_CHARS + 1);

        assertThatThrownBy(() -> parser.parseCreate(body("{\"title\":\"" + title + "\"}")))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> assertThat(e.detail().toString()).contains("at most 200 characters, got 201"));
    }

    @Test
    void createRejectsADescriptionOverTheLimit() {
        String description = "d".repeat(TaskRequestParser.MAX_DESCRIPTION_CHARS + 1);

        assertThatThrownBy(() -> parser.parseCreate(body("{\"title\":\"x\",\"description\":\"" + description + "\"}")))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> assertThat(e.detail().toString()).contains("description"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "{",
                "{\"title\":",
                "{\"title\":\"x\"",
                "[]",
                "[{\"title\":\"x\"}]",
                "\"title\"",
                "null",
                "42",
                "{\"title\":\"x\"} {}",
                "{'title':'x'}",
                "{\"title\":\"x\",}",
                "{\"title\":\"x\",\"title\":\"y\"}"
            })
    void malformedOrNonObjectBodiesAre400(String json) {
        assertThatThrownBy(() -> parser.parseCreate(body(json))).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.error()).isEqualTo("malformed JSON");
        });
    }

    @Test
    void updateDistinguishesClearingTheDescriptionFromLeavingIt() {
        var cleared = parser.parseUpdate(body("{\"description\":null}"));
        var untouched = parser.parseUpdate(body("{\"status\":\"completed\"}"));

        assertThat(cleared.clearDescription()).isTrue();
        assertThat(cleared.touchesDescription()).isTrue();
        assertThat(untouched.touchesDescription()).isFalse();
        assertThat(untouched.status()).contains(TaskStatus.COMPLETED);
    }

    @Test
    void updateWithNoFieldsIs400() {
        assertThatThrownBy(() -> parser.parseUpdate(body("{}")))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.error()).isEqualTo("nothing to update"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "0", "1.5", "1e3", " 1", "0x10", "99999999999999999999", ""})
    void idsThatAreNotPositiveLongsAre400(String raw) {
        assertThatThrownBy(() -> TaskRequestParser.parseId(raw))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void parsesAPositiveId() {
        assertThat(TaskRequestParser.parseId("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void queryDefaultsAndBounds() {
        var query = TaskRequestParser.parseQuery(null, null, null);

        assertThat(query.status()).isEqualTo(Optional.empty());
        assertThat(query.limit()).isEqualTo(100);
        assertThat(query.offset()).isZero();
        assertThat(TaskRequestParser.parseQuery("completed", "1000", "5").limit())
                .isEqualTo(1000);
    }

    @ParameterizedTest
    @CsvSource({"bogus,10,0,status", ",0,0,limit", ",1001,0,limit", ",ten,0,limit", ",10,-1,offset", ",10,x,offset"})
    void queryRejectsBadParametersNamingThem(String status, String limit, String offset, String field) {
        assertThatThrownBy(() -> TaskRequestParser.parseQuery(status, limit, offset))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> assertThat(((Map<?, ?>) e.detail()).get("field")).isEqualTo(field));
    }
}
