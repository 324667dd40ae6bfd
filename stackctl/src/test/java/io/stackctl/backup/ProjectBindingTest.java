package io.stackctl.backup;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import org.junit.jupiter.api.Test;

/** A dump restores only into the project it came from, unless the operator names that project. */
class ProjectBindingTest {

    private static final String DUMP = "staging-20261201T120000Z.dump";

    @Test
    void aDumpOfThisProjectRestores() {
        assertThatCode(() -> Backups.requireOwnProject(DUMP, "prod", "prod", null))
                .doesNotThrowAnyException();
    }

    @Test
    void anotherProjectsDumpIsRefusedWithTheWayToAskForItOnPurpose() {
        assertThatThrownBy(() -> Backups.requireOwnProject(DUMP, "staging", "prod", null))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("is a backup of project 'staging', not of 'prod'")
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((StackctlException) e).hint())
                        .contains("--from-project staging"));
    }

    @Test
    void namingTheSourceProjectLetsItThrough() {
        assertThatCode(() -> Backups.requireOwnProject(DUMP, "staging", "prod", "staging"))
                .doesNotThrowAnyException();
    }

    @Test
    void aFromProjectThatIsNotTheDumpsIsAUsageError() {
        assertThatThrownBy(() -> Backups.requireOwnProject(DUMP, "staging", "prod", "qa"))
                .isInstanceOf(StackctlException.class)
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((StackctlException) e).exitCode())
                        .isEqualTo(ExitCodes.USAGE));
    }

    @Test
    void aManifestThatNamesNoProjectIsRefused() {
        assertThatThrownBy(() -> Backups.requireOwnProject(DUMP, null, "prod", null))
                .hasMessageContaining("an unknown project");
    }
}
