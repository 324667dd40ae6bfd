package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertmanagerConfigTest {

    @TempDir
    Path root;

    @Test
    void aWebhookGetsEveryAlertAndItsResolution() {
        String config = AlertmanagerConfig.render(" https://hooks.example.com/alerts?token=t1 ");

        assertThat(config)
                .contains("receiver: stack")
                .contains("- url: \"https://hooks.example.com/alerts?token=t1\"")
                .contains("send_resolved: true");
    }

    @Test
    void withoutAWebhookAlertsStayInAlertmanager() {
        assertThat(AlertmanagerConfig.render("")).contains("- name: stack").doesNotContain("webhook_configs");
    }

    @Test
    void anythingButAnHttpUrlIsAUsageErrorNamingTheSetting() {
        for (String bad :
                new String[] {"hooks.example.com/alerts", "ftp://hooks.example.com", "http://h/\"x", "http://"}) {
            assertThatThrownBy(() -> AlertmanagerConfig.render(bad))
                    .as(bad)
                    .isInstanceOf(StackctlException.class)
                    .hasMessageContaining("ALERT_WEBHOOK_URL is not an http(s) URL")
                    .satisfies(
                            e -> assertThat(((StackctlException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
        }
    }

    @Test
    void aChangedWebhookChangesTheIdComposeRecreatesAlertmanagerBy() throws Exception {
        Files.createDirectories(root.resolve("compose"));
        Path file = root.resolve("compose/.env");
        Files.writeString(file, "OPS_TOKEN=o\nREDIS_OPS_PASSWORD=r\nMONITOR_DB_PASSWORD=m\n");
        var secrets = new MonitoringSecrets(new StackFiles(root));

        secrets.ensure(EnvFile.load(file), true, "http://host.docker.internal:9095/one");
        String first = EnvFile.load(file).get(AlertmanagerConfig.ID_VARIABLE).orElseThrow();
        secrets.ensure(EnvFile.load(file), true, "http://host.docker.internal:9095/one");
        String same = EnvFile.load(file).get(AlertmanagerConfig.ID_VARIABLE).orElseThrow();
        var written = secrets.ensure(EnvFile.load(file), true, "http://host.docker.internal:9095/two");
        String second = EnvFile.load(file).get(AlertmanagerConfig.ID_VARIABLE).orElseThrow();

        assertThat(same).isEqualTo(first);
        assertThat(second).isNotEqualTo(first);
        assertThat(written).containsExactly("monitoring/alertmanager.yml");
        assertThat(Files.readString(root.resolve("compose/secrets/monitoring/alertmanager.yml")))
                .contains("http://host.docker.internal:9095/two");
    }
}
