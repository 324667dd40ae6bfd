package io.stackctl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A replica's CPU weight, changed on the real engine while it runs (what the upstream agent does once a replica has
 * run a minute), kept across a restart of the container (a crash, its restart policy).
 */
class CpuSharesIT {

    @Test
    void aRunningContainersWeightChangesAndOutlivesItsRestart() {
        String image = System.getenv().getOrDefault("REDIS_IMAGE", "");
        var engine = DockerEngine.connect(System.getenv());
        try (var container = new GenericContainer<>(DockerImageName.parse(image.isBlank() ? "redis:7" : image))
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withCpuShares(256))
                .withLabels(java.util.Map.of("io.stackctl.test", "cpu-shares-" + UUID.randomUUID()))
                .withCommand("redis-server", "--save", "", "--appendonly", "no")) {
            container.start();
            DockerClient docker = DockerClientFactory.instance().client();
            String id = container.getContainerId();
            assertThat(shares(docker, id)).as("as created").isEqualTo(256);

            engine.cpuShares(id, 1024);

            assertThat(shares(docker, id)).as("once raised").isEqualTo(1024);
            assertThat(cgroupWeight(container))
                    .as("the running container's cgroup")
                    .isEqualTo(kernelWeight(1024));
            docker.restartContainerCmd(id).withTimeout(1).exec();
            assertThat(shares(docker, id)).as("after a restart").isEqualTo(1024);
        }
    }

    private static int shares(DockerClient docker, String id) {
        return docker.inspectContainerCmd(id).exec().getHostConfig().getCpuShares();
    }

    /** What the kernel applies: cgroup v1's cpu.shares, or v2's cpu.weight. */
    private static int cgroupWeight(GenericContainer<?> container) {
        try {
            var v1 = container.execInContainer("cat", "/sys/fs/cgroup/cpu/cpu.shares");
            if (v1.getExitCode() == 0) {
                return Integer.parseInt(v1.getStdout().strip());
            }
            return Integer.parseInt(container
                    .execInContainer("cat", "/sys/fs/cgroup/cpu.weight")
                    .getStdout()
                    .strip());
        } catch (Exception e) {
            throw new IllegalStateException("could not read the container's CPU weight", e);
        }
    }

    /** Shares as the kernel holds them: as they are on cgroup v1; on v2 as runc converts them to a weight. */
    private static int kernelWeight(int shares) {
        boolean v2 = java.nio.file.Files.exists(java.nio.file.Path.of("/sys/fs/cgroup/cgroup.controllers"));
        return v2 ? 1 + ((shares - 2) * 9999) / 262142 : shares;
    }
}
