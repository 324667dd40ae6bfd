package io.stackctl.bench;

import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Stack;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where a benchmark ran, so two summaries are only compared when they are comparable. */
public final class Fingerprint {

    private Fingerprint() {}

    public static Map<String, Object> of(Stack stack) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("cores", Runtime.getRuntime().availableProcessors());
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            env.put("memory_mib", os.getTotalMemorySize() / (1024 * 1024));
        }
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.put("java", System.getProperty("java.version"));
        env.put("engine", stack.engine().serverVersion());
        env.put("replicas", stack.replicas().size());
        Map<String, String> images = new LinkedHashMap<>();
        for (ServiceContainer container : stack.containers()) {
            images.putIfAbsent(container.service(), stack.engine().imageIdOf(container.id()));
        }
        env.put("images", images);
        env.put("git_revision", gitRevision(stack.files().root()));
        return env;
    }

    static String gitRevision(Path dir) {
        try {
            var process = new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            boolean done = process.waitFor(5, TimeUnit.SECONDS);
            if (!done || process.exitValue() != 0) {
                return "unknown";
            }
            var dirty = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no")
                    .directory(dir.toFile())
                    .start();
            boolean clean = dirty.getInputStream().readAllBytes().length == 0;
            return clean ? out : out + "-dirty";
        } catch (Exception e) {
            return "unknown";
        }
    }
}
