package io.stackctl.engine;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Inspections of containers, reused while their listing says nothing changed: the same state, the same status text
 * (it carries the health and the uptime, so a health change or a restart shows in it), names and addresses, for at
 * most {@link #REUSE}. The upstream agent lists the project's containers several times a second; inspecting each one
 * every time was most of its CPU and a share of the engine's (a JSON document written and parsed per container).
 */
final class InspectCache {

    /** Bounds how stale a reused inspection can be when a listing looks the same across a change it cannot show. */
    static final Duration REUSE = Duration.ofSeconds(5);

    private record Entry(String signature, long at, InspectContainerResponse inspection) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final LongSupplier nanos;

    InspectCache(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** The inspection of {@code listed}, reused or fresh from {@code inspect} (which may throw, e.g. not found). */
    InspectContainerResponse get(Container listed, Function<String, InspectContainerResponse> inspect) {
        String signature = signature(listed);
        long now = nanos.getAsLong();
        Entry entry = entries.get(listed.getId());
        if (entry != null && entry.signature.equals(signature) && now - entry.at < REUSE.toNanos()) {
            return entry.inspection;
        }
        // Entries past their reuse are worth nothing: dropped here, so containers long gone never pile up.
        entries.values().removeIf(old -> now - old.at >= REUSE.toNanos());
        var inspection = inspect.apply(listed.getId());
        entries.put(listed.getId(), new Entry(signature, now, inspection));
        return inspection;
    }

    int size() {
        return entries.size();
    }

    static String signature(Container listed) {
        var addresses = new StringBuilder();
        if (listed.getNetworkSettings() != null && listed.getNetworkSettings().getNetworks() != null) {
            listed.getNetworkSettings().getNetworks().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> addresses
                            .append(e.getKey())
                            .append('=')
                            .append(e.getValue().getIpAddress())
                            .append(','));
        }
        return Objects.toString(listed.getState())
                + '|'
                + listed.getStatus()
                + '|'
                + listed.getImageId()
                + '|'
                + String.join(",", Objects.requireNonNullElse(listed.getNames(), new String[0]))
                + '|'
                + addresses;
    }
}
