package io.stackctl.taskmanager.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A fault a release carries on purpose ({@code INJECT_ERRORS=5% GET /tasks/{id}}): that share of one route's answers
 * is a 500, so a deploy's metric analysis can be shown to catch what its probe of one read does not (as Flagger's
 * podinfo does). Exactly the share, not a random one: the 20th, 40th, ... request of the route fails at 5%, so a test
 * of the analysis never depends on luck. Runs after the gate, so a refused request is not counted.
 */
public final class InjectedErrors {

    private static final Pattern SPEC = Pattern.compile("(\\d{1,3}(?:\\.\\d+)?)%\\s+([A-Z]+)\\s+(/\\S*)");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    private final double percent;
    private final String method;
    private final String route;
    private final AtomicLong seen = new AtomicLong();

    private InjectedErrors(double percent, String method, String route) {
        this.percent = percent;
        this.method = method;
        this.route = route;
    }

    /** The fault {@code spec} names, or null for none (empty); a spec it cannot read is refused, naming the form. */
    public static InjectedErrors parse(String spec) {
        if (spec.isBlank()) {
            return null;
        }
        var match = SPEC.matcher(spec.strip());
        String form = "; the form is PERCENT% METHOD ROUTE, as in '5% GET /tasks/{id}' (ROUTE as the API's description"
                + " names it)";
        if (!match.matches()) {
            throw new IllegalArgumentException("INJECT_ERRORS is '" + spec + "'" + form);
        }
        double percent = Double.parseDouble(match.group(1));
        if (percent <= 0 || percent > 100) {
            throw new IllegalArgumentException("INJECT_ERRORS asks for " + match.group(1)
                    + "% of answers to fail: it must be above 0 and at most" + " 100" + form);
        }
        String method = match.group(2).toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("INJECT_ERRORS names the method " + method + form);
        }
        return new InjectedErrors(percent, method, match.group(3));
    }

    public String describe() {
        return percentText() + "% of " + method + " " + route;
    }

    /** As the start's configuration line shows it. */
    @Override
    public String toString() {
        return "InjectedErrors[" + describe() + "]";
    }

    private String percentText() {
        return percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent);
    }

    void register(JavalinConfig config) {
        config.routes.beforeMatched(this::maybeFail);
    }

    private void maybeFail(Context ctx) {
        var endpoint = ctx.endpoints().matchedHttpEndpoint();
        if (endpoint == null
                || !endpoint.path.equals(route)
                || !ctx.method().name().equals(method)) {
            return;
        }
        if (failsNext()) {
            throw new ApiException(
                    500,
                    "injected fault",
                    Map.of("setting", "INJECT_ERRORS=" + percentText() + "% " + method + " " + route));
        }
    }

    /** True for the requests that bring the failed share up to {@code percent} of those seen so far. */
    boolean failsNext() {
        long n = seen.incrementAndGet();
        return Math.floor(n * percent / 100) > Math.floor((n - 1) * percent / 100);
    }
}
