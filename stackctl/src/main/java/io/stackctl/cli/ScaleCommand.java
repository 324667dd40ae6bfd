package io.stackctl.cli;

import io.stackctl.autoscale.AutoscaleSettings;
import io.stackctl.core.ExitCodes;
import io.stackctl.stack.Stack;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

@Command(name = "scale", description = "Change the number of app replicas without dropping a request: app=N (1 to 20).")
final class ScaleCommand extends StackCommand {

    @Override
    boolean changesStack() {
        return true;
    }

    @Parameters(index = "0", paramLabel = "app=N", converter = TargetConverter.class, description = "e.g. app=5")
    int replicas;

    @Option(
            names = "--wait-timeout",
            paramLabel = "D",
            defaultValue = "PT2M",
            converter = DurationConverter.class,
            description = "How long new replicas may take to become ready (default: 2m).")
    Duration waitTimeout;

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
            stack.requireRunning();
            AutoscaleSettings.of(stack)
                    .ifPresent(autoscale -> autoscale.requireAdmits(replicas, "scale app=" + replicas));
            long start = System.nanoTime();
            var change = target(stack).scale(replicas, waitTimeout);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (global.json()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("service", Stack.APP);
                doc.put("before", change.before());
                doc.put("after", change.after());
                doc.put("added", change.added());
                doc.put("removed", change.removed());
                doc.put("seconds", Math.round(seconds * 10) / 10.0);
                output().json(doc);
            } else {
                output().line("app: %d -> %d replicas in %.1fs%s%s"
                        .formatted(
                                change.before(),
                                change.after(),
                                seconds,
                                change.added().isEmpty() ? "" : "; added " + String.join(", ", change.added()),
                                change.removed().isEmpty()
                                        ? ""
                                        : "; drained and removed " + String.join(", ", change.removed())));
            }
        }
        return ExitCodes.OK;
    }

    /** {@code app=N}: only the app service scales (db, cache and nginx are singletons). */
    static final class TargetConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int equals = value.indexOf('=');
            if (equals < 0) {
                throw new TypeConversionException("expected SERVICE=N such as app=3, got '" + value + "'");
            }
            String service = value.substring(0, equals);
            if (!service.equals(Stack.APP)) {
                throw new TypeConversionException(
                        "only app scales ('" + service + "' is a single instance in this stack), e.g. app=3");
            }
            int replicas;
            try {
                replicas = Integer.parseInt(value.substring(equals + 1));
            } catch (NumberFormatException e) {
                throw new TypeConversionException(
                        "replica count must be a whole number, got '" + value.substring(equals + 1) + "'");
            }
            if (replicas < 1 || replicas > Stack.MAX_REPLICAS) {
                throw new TypeConversionException(
                        "replicas must be from 1 to " + Stack.MAX_REPLICAS + ", got " + replicas);
            }
            return replicas;
        }
    }
}
