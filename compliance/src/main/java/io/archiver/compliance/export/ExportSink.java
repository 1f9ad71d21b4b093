package io.archiver.compliance.export;

import java.io.IOException;

/** Writes rows, in the order of {@link #order()}, into the files of one format. */
interface ExportSink {

    /** Rows in time order. */
    String BY_TIME = "sent_at, record_id";
    /** Rows of a conversation together, each conversation in time order. */
    String BY_CONVERSATION = "conversation_id, sent_at, record_id";

    /** The SQL ORDER BY the sink needs. */
    String order();

    void write(ExportedRow row) throws IOException;

    /** Completes the last file(s). */
    void finish() throws IOException;

    /** Releases what a failed export left open; the output directory removes the temporary file. */
    default void abandon() {
    }
}
