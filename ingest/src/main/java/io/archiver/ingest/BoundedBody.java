package io.archiver.ingest;

import io.archiver.core.http.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads a request body of at most {@code maxBytes} (ingest.maxBytes). A declared Content-Length over the
 * limit is refused before anything is read; a body without one (chunked) is counted while reading and
 * refused as soon as it passes the limit, so at most {@code maxBytes + 1} bytes are ever read.
 */
final class BoundedBody {

    private BoundedBody() {
    }

    static byte[] read(long declaredLength, InputStream in, int maxBytes) {
        if (declaredLength > maxBytes) {
            throw tooLarge("is " + declaredLength + " bytes", maxBytes);
        }
        byte[] body;
        try {
            body = in.readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed: " + e.getMessage(), e);
        }
        if (body.length > maxBytes) {
            throw tooLarge("is more than " + maxBytes + " bytes", maxBytes);
        }
        return body;
    }

    private static ApiException tooLarge(String what, int maxBytes) {
        return new ApiException(413, "request body " + what + "; at most " + maxBytes
                + " bytes are accepted per request (ingest.maxBytes): split it into smaller requests");
    }
}
