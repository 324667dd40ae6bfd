package io.stackctl.top;

import io.stackctl.prometheus.PrometheusApi;
import java.util.regex.Pattern;

/**
 * Which requests {@code top} counts: the API's, not the machinery's. Health checks, the upstream agent's probes and
 * scrapes (top's own included) reach every replica several times a second whatever the users do, and would make an
 * idle stack look busy and fast.
 */
public final class ApiRoutes {

    /** The app's probe and operator routes, as a regular expression on the {@code route} label (PromQL's too). */
    public static final String MACHINERY = PrometheusApi.MACHINERY_ROUTES;

    private static final Pattern MACHINERY_PATTERN = Pattern.compile(MACHINERY);

    private ApiRoutes() {}

    public static boolean counted(String route) {
        return !MACHINERY_PATTERN.matcher(route).matches();
    }
}
