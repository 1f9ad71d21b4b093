package io.archiver.store;

/**
 * What a dead-letter replay did: dead letters that now went in (archived, or found already archived /
 * conflicting, and marked replayed), and those still failing (attempts incremented, reason updated).
 */
public record ReplayResult(int replayed, int stillFailing) {
}
