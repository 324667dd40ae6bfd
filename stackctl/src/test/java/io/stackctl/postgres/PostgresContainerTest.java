package io.stackctl.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.StackctlException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresContainerTest {

    private static final List<String> TOC = List.of(
            "215; 1259 16385 TABLE public tasks taskmanager",
            "3361; 0 16385 TABLE DATA public tasks taskmanager",
            "3360; 0 16390 TABLE DATA public flyway_schema_history taskmanager");

    @Test
    void findsTablesWhoseDataTheArchiveLacks() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("public.tasks", 5L);
        counts.put("public.flyway_schema_history", 1L);
        counts.put("public.audit", 0L);

        assertThat(PostgresContainer.tablesMissingData(TOC, counts)).containsExactly("public.audit");
    }

    @Test
    void aTableNamePrefixIsNotMistakenForTheTable() {
        assertThat(PostgresContainer.tablesMissingData(TOC, Map.of("public.task", 1L)))
                .containsExactly("public.task");
    }

    @Test
    void countCheckQuotesNamesAndRaisesOnMismatch() {
        String sql = PostgresContainer.countCheckSql(Map.of("public.\"Odd \"\"Name\"", 3L));

        assertThat(sql).contains("FROM \"public\".\"Odd \"\"Name\"");
        assertThat(sql).contains("IF n <> 3 THEN RAISE EXCEPTION");
    }

    @Test
    void aManifestTableNameThatIsNotSchemaDotTableIsRefused() {
        assertThatThrownBy(() -> PostgresContainer.countCheckSql(Map.of("tasks; DROP TABLE x", 1L)))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("expected schema.table");
    }

    @Test
    void splitsBareAndQuotedNames() {
        assertThat(PostgresContainer.splitName("public.tasks")).containsExactly("public", "tasks");
        assertThat(PostgresContainer.splitName("\"My.Schema\".\"a \"\"b\"")).containsExactly("My.Schema", "a \"b");
        for (String bad : List.of("tasks", "a.b.c", ".tasks", "public.", "\"open.tasks", "public.\"x\"y")) {
            assertThatThrownBy(() -> PostgresContainer.splitName(bad)).as(bad).isInstanceOf(StackctlException.class);
        }
    }

    @Test
    void readsTheCountsTheDumpScriptReports() {
        String stderr = "noise\nstackctl-counts: { \"public.tasks\" : 42 }\nstackctl-server-version: 15.8\n";

        assertThat(PostgresContainer.parseCounts(stderr)).containsExactly(Map.entry("public.tasks", 42L));
    }
}
