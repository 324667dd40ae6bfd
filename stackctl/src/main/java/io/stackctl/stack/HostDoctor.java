package io.stackctl.stack;

import io.stackctl.compose.ComposeCli;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.process.ProcessRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What {@code doctor} checks on this host before a stack can run: secrets, compose, engine, port, images, disk. */
public final class HostDoctor {

    static final long MIN_FREE_BYTES = 5L * 1024 * 1024 * 1024;

    /** One check: {@code fix} says what to do when it is not ok. */
    public record Check(String name, boolean ok, String detail, String fix) {}

    private HostDoctor() {}

    /** Each check with its result and, when it failed, the fix. */
    public static List<Check> run(String project, StackFiles files, Map<String, String> environment) {
        EnvFile env = EnvFile.load(files.envFile());
        StackSettings settings = StackSettings.resolve(environment, env);
        List<Check> checks = new ArrayList<>();
        var weak = env.weakSecrets();
        checks.add(new Check(
                "secrets",
                weak.isEmpty(),
                !env.exists()
                        ? files.envFile() + " absent: up writes random secrets"
                        : weak.isEmpty() ? "strong" : String.join("; ", weak),
                EnvFile.weakSecretsHint(files.envFile())));

        var compose = ComposeCli.probe(new ProcessRunner(environment, files.root()));
        checks.add(compose.map(f -> new Check("compose", true, f.describe(), ""))
                .orElse(new Check(
                        "compose",
                        false,
                        "neither 'docker compose' (v2) nor 'docker-compose' 1.29+ found",
                        "apt-get install docker-compose, or install the docker-compose-plugin")));

        Engine engine = null;
        try {
            engine = Engine.connect(environment);
            checks.add(new Check("engine", true, engine.host() + " (Docker " + engine.serverVersion() + ")", ""));
        } catch (StackctlException e) {
            checks.add(new Check("engine", false, e.getMessage(), e.hint()));
        }
        try {
            checks.add(portCheck(project, settings, engine));
            if (engine != null) {
                for (var image : settings.serviceImages()) {
                    boolean present = engine.imageExists(image);
                    checks.add(
                            new Check(
                                    "image",
                                    present,
                                    image + (present ? " present" : " missing"),
                                    image.startsWith("stackctl")
                                            ? "bin/stackctl images build --offline"
                                            : "docker pull " + image
                                                    + ", or on a host without a registry: bin/stackctl images build --offline"));
                }
                checks.add(diskCheck("docker data", Path.of(engine.rootDir())));
            }
            checks.add(diskCheck("project folder", files.root()));
            // compose/images/base/build-base.sh takes mmdebstrap, the faster, or else debootstrap.
            String bootstrap = Stream.of("/usr/bin/mmdebstrap", "/usr/sbin/debootstrap")
                    .filter(tool -> Files.isExecutable(Path.of(tool)))
                    .map(tool -> Path.of(tool).getFileName().toString())
                    .findFirst()
                    .orElse("");
            checks.add(new Check(
                    "offline builds",
                    !bootstrap.isEmpty(),
                    bootstrap.isEmpty()
                            ? "neither mmdebstrap nor debootstrap is installed (only needed for --offline)"
                            : bootstrap + " available",
                    "apt-get install mmdebstrap"));
        } finally {
            if (engine != null) {
                engine.close();
            }
        }
        return checks;
    }

    private static Check portCheck(String project, StackSettings settings, Engine engine) {
        var plain = portCheck(project, settings, engine, settings.httpPort(), "STACK_HTTP_PORT");
        return plain.ok() && settings.tls()
                ? portCheck(project, settings, engine, settings.httpsPort(), "STACK_HTTPS_PORT")
                : plain;
    }

    private static Check portCheck(String project, StackSettings settings, Engine engine, int port, String key) {
        String where = settings.bind() + ":" + port;
        if (engine != null) {
            boolean ours = engine.containers(project, Stack.NGINX).stream().anyMatch(ServiceContainer::running);
            if (ours) {
                return new Check("port", true, where + " held by this stack's nginx", "");
            }
        }
        try (var socket = new ServerSocket(port, 1, InetAddress.getByName(settings.bind()))) {
            return new Check("port", true, where + " free", "");
        } catch (IOException e) {
            return new Check(
                    "port",
                    false,
                    where + " is in use by another program",
                    "set " + key + " in compose/.env to a free port");
        }
    }

    private static Check diskCheck(String name, Path path) {
        try {
            long free =
                    Files.getFileStore(Files.exists(path) ? path : Path.of("/")).getUsableSpace();
            boolean ok = free >= MIN_FREE_BYTES;
            return new Check(
                    "disk",
                    ok,
                    "%s: %.1f GiB free".formatted(name, free / (1024.0 * 1024 * 1024)),
                    "free space under " + path + " (images and volumes need a few GiB)");
        } catch (IOException e) {
            return new Check("disk", true, name + ": not measurable (" + e.getMessage() + ")", "");
        }
    }
}
