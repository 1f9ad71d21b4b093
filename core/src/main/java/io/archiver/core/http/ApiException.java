package io.archiver.core.http;

import java.util.List;
import java.util.Map;

/** Ends a request with a status and a JSON body {@code {"error": ..., "details": [...]}}. */
public class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient List<?> details;
    private final transient Map<String, String> headers;

    public ApiException(int status, String message) {
        this(status, message, List.of(), Map.of());
    }

    public ApiException(int status, String message, List<?> details, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.details = List.copyOf(details);
        this.headers = Map.copyOf(headers);
    }

    /** 400 naming the field at fault: {@code details: [{"field", "reason"}]}. */
    public static ApiException badRequest(String message, String field, String reason) {
        return new ApiException(400, message, List.of(Map.of("field", field, "reason", reason)), Map.of());
    }

    public int status() {
        return status;
    }

    public List<?> details() {
        return details;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
