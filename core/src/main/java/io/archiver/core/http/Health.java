package io.archiver.core.http;

import java.util.Map;

/** What {@code /health/ready} answers: ready or not, and the checks behind it. */
public record Health(boolean ready, Map<String, Object> checks) {
}
