package io.archiver.core.spool;

/**
 * What travels between the front-ends and the archive node. A spool message body is a sequence of
 * record JSON objects (one for AMQP/core senders, many for an HTTP request: batching many records per
 * broker message is what makes the path fast). Properties say where and when records came in.
 */
public final class SpoolFormat {

    /** The front-end's spool address and queue (contract section 3); AMQP and core senders use it too. */
    public static final String INBOUND = "archive.inbound";
    /** The archive broker's address and queue that the front-ends' bridges forward to. */
    public static final String ARCHIVE = "archive.records";

    /** String property: the front-end that received the records. */
    public static final String FRONTEND = "archiverFrontend";
    /** Long property: epoch milliseconds when the front-end received them. */
    public static final String RECEIVED_AT = "archiverReceivedAt";
    /** Int property: how many records the body holds. */
    public static final String RECORD_COUNT = "archiverRecords";

    /** Body size a front-end aims at when it splits one request into several spool messages. */
    public static final int TARGET_MESSAGE_BYTES = 256 * 1024;
    /**
     * Below this a message is an ordinary (journal) message everywhere; above it Artemis streams it as a
     * large message. Set on every client and the bridge so a spool message is never split differently.
     */
    public static final int MIN_LARGE_MESSAGE_BYTES = 4 * 1024 * 1024;

    private SpoolFormat() {
    }
}
