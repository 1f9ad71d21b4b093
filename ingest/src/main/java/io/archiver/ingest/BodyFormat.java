package io.archiver.ingest;

import io.archiver.core.http.ApiException;
import java.util.Locale;

/**
 * The two body formats {@code POST /v1/records} takes, chosen by {@code Content-Type}; a
 * {@code charset} parameter is allowed as long as it says UTF-8, anything else is a 415.
 */
public enum BodyFormat {
    /** One record object or an array of them. */
    JSON("application/json"),
    /** One record object a line. */
    NDJSON("application/x-ndjson");

    private final String mediaType;

    BodyFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /** The format named by a {@code Content-Type} header, or a 415 {@link ApiException}. */
    public static BodyFormat of(String contentType) {
        String expected = "send Content-Type application/json (a record or an array) or application/x-ndjson (a record a line)";
        if (contentType == null || contentType.isBlank()) {
            throw new ApiException(415, "Content-Type is missing: " + expected);
        }
        String[] parts = contentType.split(";");
        String media = parts[0].strip().toLowerCase(Locale.ROOT);
        BodyFormat format = null;
        for (BodyFormat candidate : values()) {
            if (candidate.mediaType.equals(media)) {
                format = candidate;
            }
        }
        if (format == null) {
            throw new ApiException(415, "Content-Type " + parts[0].strip() + " is not accepted: " + expected);
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            int equals = parameter.indexOf('=');
            if (equals < 0) {
                continue;
            }
            String name = parameter.substring(0, equals).strip().toLowerCase(Locale.ROOT);
            String value = parameter.substring(equals + 1).strip().replace("\"", "").toLowerCase(Locale.ROOT);
            if (name.equals("charset") && !value.equals("utf-8") && !value.equals("utf8")) {
                throw new ApiException(415, "charset " + value + " is not accepted: records are UTF-8 JSON");
            }
        }
        return format;
    }
}
