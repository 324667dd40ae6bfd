package io.stackctl.compose;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Which compose CLI the host has: v2 ({@code docker compose}) is preferred, v1.29 ({@code docker-compose}) works. */
public record ComposeFlavour(List<String> command, String version) {

    private static final Pattern VERSION = Pattern.compile("v?(\\d+\\.\\d+\\.\\d+)");

    public static final List<String> V2 = List.of("docker", "compose");
    public static final List<String> V1 = List.of("docker-compose");

    public boolean isV2() {
        return command.equals(V2);
    }

    /** The version out of {@code docker compose version} / {@code docker-compose version} output, if any. */
    public static Optional<String> parseVersion(String output) {
        Matcher matcher = VERSION.matcher(output);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /**
     * Picks the flavour from the answers of both probes (empty when a probe failed). v1 older than 1.29 lacks
     * what the compose file needs ({@code condition: service_healthy} with {@code --scale}), so it is refused.
     */
    public static Optional<ComposeFlavour> choose(Optional<String> v2Output, Optional<String> v1Output) {
        Optional<ComposeFlavour> v2 =
                v2Output.flatMap(ComposeFlavour::parseVersion).map(v -> new ComposeFlavour(V2, v));
        if (v2.isPresent()) {
            return v2;
        }
        return v1Output.flatMap(ComposeFlavour::parseVersion)
                .filter(ComposeFlavour::atLeast129)
                .map(v -> new ComposeFlavour(V1, v));
    }

    static boolean atLeast129(String version) {
        String[] parts = version.split("\\.");
        int major = Integer.parseInt(parts[0]);
        int minor = Integer.parseInt(parts[1]);
        return major > 1 || (major == 1 && minor >= 29);
    }

    public String describe() {
        return String.join(" ", command) + " " + version;
    }
}
