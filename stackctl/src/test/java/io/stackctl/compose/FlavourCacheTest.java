package io.stackctl.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlavourCacheTest {

    @TempDir
    Path dir;

    private Path program(String name) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path program = Files.writeString(bin.resolve(name), "#!/bin/sh\necho compose\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        return program;
    }

    @Test
    void whatWasFoundIsKeptUntilAComposeProgramChangesOrAppears() throws Exception {
        Path v1 = program("docker-compose");
        var environment = Map.of("PATH", dir.resolve("bin").toString(), "HOME", dir.toString());
        var cache = new FlavourCache(dir.resolve("state/compose-cli"), environment);
        var found = new ComposeFlavour(ComposeFlavour.V1, "1.29.2");

        assertThat(cache.get()).isEmpty();
        cache.put(found);
        assertThat(new FlavourCache(dir.resolve("state/compose-cli"), environment).get())
                .hasValue(found);

        Files.setLastModifiedTime(v1, FileTime.from(Instant.now().plusSeconds(60))); // upgraded in place
        assertThat(cache.get()).as("a changed docker-compose is asked again").isEmpty();

        cache.put(found);
        program("docker"); // a docker CLI, maybe with the v2 plugin, is installed
        assertThat(cache.get()).isEmpty();

        cache.put(new ComposeFlavour(ComposeFlavour.V2, "2.29.1"));
        Path plugins = Files.createDirectories(dir.resolve(".docker/cli-plugins"));
        Files.writeString(plugins.resolve("docker-compose"), "plugin");
        assertThat(cache.get())
                .as("a compose plugin added to the user's folder")
                .isEmpty();
        assertThat(List.of(cache.key().split(";"))).anyMatch(part -> part.contains("cli-plugins/docker-compose="));
    }
}
