package io.stackctl.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MaintenanceTest {

    @Test
    void theAnswerIsA503WithRetryAfterAndTheApisJsonErrorShape() throws Exception {
        String conf =
                Maintenance.render("the database is being restored (a \"quoted\" name's dump)", Duration.ofSeconds(30));

        assertThat(conf).contains("add_header Retry-After 30 always;").contains("return 503 '");
        String body = conf.substring(conf.indexOf("return 503 '") + "return 503 '".length(), conf.lastIndexOf("';"));
        var json = new ObjectMapper().readTree(body);
        assertThat(json.get("error").asText()).isEqualTo("maintenance");
        assertThat(json.get("detail").asText()).contains("retry after 30 s");
    }
}
