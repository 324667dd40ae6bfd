package io.stackctl.nginx;

import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What nginx adds while the monitoring profile runs, so that the profile's edge-exporter can count nginx's answers by
 * status (and their times) for Prometheus: the 502s, 504s and 429s nginx answers by itself, which no replica's metrics
 * see. An include nginx.conf reads from {@code compose/generated/monitoring/*.nginx}; with the profile off the file is
 * gone. nginx's own health checks are not counted. Two ways, by {@link Source}:
 *
 * <ul>
 *   <li>{@link Source#NGINX}: each nginx worker counts with the Lua module in its own tables, adds them to a shared
 *       dict once a second (and as it exits), and one writes the counts each second to {@code /run/edge/nginx.prom},
 *       which edge-exporter serves (node_exporter's textfile collector). No I/O and no lock per request.
 *   <li>{@link Source#LOG}, for an nginx without Lua (the official image): one short line per request (status, time,
 *       the replicas' statuses) into a file per 10 s of the clock (epoch seconds / 10, from {@code $msec}), which
 *       edge-exporter makes ahead, has mtail count, and removes once over (compose/monitoring/edge-exporter.sh). Side
 *       by side it cost the cached read 5-7% more CPU: nginx's write and mtail's reading of each line.
 * </ul>
 */
public final class EdgeStatusLog {

    public static final String FILE = "edge-status.nginx";
    /** compose/.env: {@code auto} (the default), {@code nginx} or {@code log}. */
    public static final String SETTING = "EDGE_COUNTS";
    /** The label of an nginx image with the Lua module (the air-gapped stand-in's), which {@code auto} looks for. */
    public static final String LUA_LABEL = "io.stackctl.nginx.lua";

    /** Who counts nginx's answers. */
    public enum Source {
        NGINX("edge-counts.nginx"),
        LOG("edge-log.nginx");

        private final String resource;

        Source(String resource) {
            this.resource = resource;
        }

        /** The include nginx reads for it. */
        public String content() {
            try (InputStream in = EdgeStatusLog.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("no resource " + resource + " beside " + EdgeStatusLog.class);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * compose/.env's choice: nginx or log as asked; auto, nginx's own counts when its image says it has the Lua module
     * (a label), the log otherwise (also when the image is not on this host yet, as an image a registry serves). Exit 2
     * naming the setting for anything else.
     */
    public static Source choose(String setting, String nginxImage, Engine engine) {
        return switch (validate(setting)) {
            case "nginx" -> Source.NGINX;
            case "log" -> Source.LOG;
            default -> engine.imageLabel(nginxImage, LUA_LABEL).isPresent() ? Source.NGINX : Source.LOG;
        };
    }

    /** The value as {@link #choose} reads it (auto, nginx or log); exit 2 before anything changes for any other. */
    public static String validate(String setting) {
        String value = setting.strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "", "auto" -> "auto";
            case "nginx", "log" -> value;
            default ->
                throw new StackctlException(
                        ExitCodes.USAGE,
                        SETTING + " is '" + setting + "', not auto, nginx or log",
                        "set " + SETTING
                                + "=nginx for counts kept by nginx itself (its image needs the Lua module), log for"
                                + " a log line a request that mtail counts, or remove the line (auto: nginx when the image has"
                                + " the label " + LUA_LABEL + ")");
        };
    }

    private final Path file;
    /** What a running nginx last loaded of it: a command killed between the write and the reload leaves it stale. */
    private final Path loaded;

    public EdgeStatusLog(Path monitoringDir) {
        this.file = monitoringDir.resolve(FILE);
        this.loaded = monitoringDir.resolve(FILE + ".loaded");
    }

    /**
     * Writes the include of {@code source} (profile on) or removes it (off); true when a running nginx has yet to load
     * that: it changed now, or an earlier command changed it and was stopped before it reloaded nginx.
     */
    public boolean set(boolean on, Source source) {
        try {
            if (on) {
                String content = source.content();
                Files.createDirectories(file.getParent());
                AtomicFiles.writeStringIfChanged(file, content, AtomicFiles.permissions("rw-r--r--"));
                return !Files.isRegularFile(loaded) || !Files.readString(loaded).equals(content);
            }
            Files.deleteIfExists(file);
            return Files.exists(loaded);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Every running nginx reloaded what {@link #set} wrote. */
    public void loaded() {
        try {
            if (Files.isRegularFile(file)) {
                AtomicFiles.writeString(loaded, Files.readString(file));
            } else {
                Files.deleteIfExists(loaded);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + loaded, e);
        }
    }
}
