package io.stackctl.taskmanager.task;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A validated request to create a task. */
public record NewTask(String title, String description, TaskStatus status) {

    /**
     * SHA-256 over the fields (not the raw body), so a retry that formats the same JSON differently still
     * matches its {@code Idempotency-Key}, and a different task under the same key does not.
     */
    public String fingerprint() {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            for (String field : new String[] {title, description == null ? "\u0000null" : description, status.wire()}) {
                digest.update(field.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
