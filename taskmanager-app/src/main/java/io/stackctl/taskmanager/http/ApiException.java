package io.stackctl.taskmanager.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request that cannot be served, carrying the HTTP status and the JSON error body's {@code error} and
 * {@code detail}. {@link ErrorMapper} turns it into the response in one place.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final Object detail;

    public ApiException(int status, String error, Object detail) {
        super(error, null, false, false);
        this.status = status;
        this.detail = detail;
    }

    public static ApiException invalidField(String field, String reason) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("field", field);
        detail.put("reason", reason);
        return new ApiException(400, "invalid field", detail);
    }

    public static ApiException badRequest(String error, String detail) {
        return new ApiException(400, error, detail);
    }

    public static ApiException taskNotFound(long id) {
        return new ApiException(404, "task not found", Map.of("id", id));
    }

    public int status() {
        return status;
    }

    public String error() {
        return getMessage();
    }

    public Object detail() {
        return detail;
    }
}
