package io.stackctl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeployerTest {

    @Test
    void aReleaseTagNamesTheImageByItsId() {
        assertThat(Deployer.releaseTag("sha256:43668c8db1c3c285c5b53cccd301261fa1596fa5"))
                .isEqualTo("release-43668c8db1c3");
    }

    @Test
    void theRepositoryOfAnImageKeepsARegistryPort() {
        assertThat(Deployer.repository("stackctl/taskmanager-app:latest")).isEqualTo("stackctl/taskmanager-app");
        assertThat(Deployer.repository("registry.local:5000/team/app:1.2")).isEqualTo("registry.local:5000/team/app");
        assertThat(Deployer.repository("registry.local:5000/team/app")).isEqualTo("registry.local:5000/team/app");
    }
}
