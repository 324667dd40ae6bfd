package io.stackctl.stack;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * The monitoring profile's Alertmanager configuration, from compose/.env's {@code ALERT_WEBHOOK_URL}: every alert
 * of the stack's rules, grouped by alert and instance, goes to that webhook (Alertmanager's JSON), resolved ones too.
 * Without a URL the alerts stay in Alertmanager's own UI and API (127.0.0.1:9093), sent nowhere.
 */
public final class AlertmanagerConfig {

    public static final String WEBHOOK_SETTING = "ALERT_WEBHOOK_URL";

    /** compose/.env's name for the hash of the written configuration: a new one recreates the alertmanager service. */
    public static final String ID_VARIABLE = "ALERTMANAGER_CONFIG_ID";

    private AlertmanagerConfig() {}

    /** The configuration for {@code webhook} (blank: none); exit 2 naming the setting when it is not an http(s) URL. */
    public static String render(String webhook) {
        String url = webhook.strip();
        var text = new StringBuilder("""
                # Written by stackctl from compose/.env (ALERT_WEBHOOK_URL) at each up; changes here are overwritten.
                route:
                  receiver: stack
                  group_by: [alertname, instance]
                  group_wait: 5s
                  group_interval: 1m
                  repeat_interval: 4h
                receivers:
                  - name: stack
                """);
        validated(url).ifPresent(valid -> text.append("""
                    webhook_configs:
                      - url: "%s"
                        send_resolved: true
                """.formatted(valid)));
        return text.toString();
    }

    private static Optional<String> validated(String url) {
        if (url.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme();
            if ((scheme.equals("http") || scheme.equals("https"))
                    && uri.getHost() != null
                    && !url.contains("\"")
                    && !url.contains("\\")) {
                return Optional.of(url);
            }
        } catch (URISyntaxException e) {
            // named below
        }
        throw new StackctlException(
                ExitCodes.USAGE,
                WEBHOOK_SETTING + " is not an http(s) URL: '" + url + "'",
                "set it in compose/.env to where Alertmanager should POST alerts, e.g."
                        + " https://hooks.example.com/alerts, or remove the line");
    }
}
