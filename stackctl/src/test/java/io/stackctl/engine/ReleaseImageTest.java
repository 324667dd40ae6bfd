package io.stackctl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReleaseImageTest {

    @Test
    void aReleaseTagNamesTheImageByItsId() {
        assertThat(ReleaseImage.tag("sha256:43668c8db1c3c285c5b53cccd301261fa1596fa5"))
                .isEqualTo("release-43668c8db1c3");
    }

    @Test
    void theRepositoryOfAnImageKeepsARegistryPort() {
        assertThat(ReleaseImage.repository("stackctl/taskmanager-app:latest")).isEqualTo("stackctl/taskmanager-app");
        assertThat(ReleaseImage.repository("registry.local:5000/team/app:1.2"))
                .isEqualTo("registry.local:5000/team/app");
        assertThat(ReleaseImage.repository("registry.local:5000/team/app")).isEqualTo("registry.local:5000/team/app");
    }
}
