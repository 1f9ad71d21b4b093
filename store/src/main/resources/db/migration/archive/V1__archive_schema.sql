-- The archive: one row per record id (contract sections 7 and 8).
-- Indexes are kept few on purpose: every one of them is paid on each COPY of the writer.
--   messages_pkey                 record_id: the idempotency key
--   messages_sent_at_idx          search by time, retention by age
--   messages_conversation_idx     a conversation in time order
--   messages_participants_idx     GIN over sender + recipients; query it with the same expression:
--                                 array_prepend(sender, recipients) @> ARRAY['sip:alice@example.com']
CREATE TABLE archive.messages (
    record_id        text        NOT NULL,
    conversation_id  text        NOT NULL,
    kind             text        NOT NULL,
    sent_at          timestamptz NOT NULL,
    sender           text        NOT NULL,
    recipients       text[]      NOT NULL,
    content_type     text        NOT NULL,
    body             text        NULL,
    external         boolean     NOT NULL,
    frontend         text        NOT NULL,
    received_at      timestamptz NOT NULL,
    archived_at      timestamptz NOT NULL DEFAULT now(),
    exported_at      timestamptz NULL,
    content_hash     bytea       NOT NULL,
    CONSTRAINT messages_pkey PRIMARY KEY (record_id)
);

CREATE INDEX messages_sent_at_idx ON archive.messages (sent_at);
CREATE INDEX messages_conversation_idx ON archive.messages (conversation_id, sent_at);
CREATE INDEX messages_participants_idx ON archive.messages USING gin (array_prepend(sender, recipients));

COMMENT ON TABLE archive.messages IS 'One row per archived record id; written only by the archive node''s writer';
COMMENT ON COLUMN archive.messages.content_hash IS 'SHA-256 of the canonical record content (io.archiver.core.record.ContentHash)';

-- A record whose id is already archived with different content: kept here, never overwriting.
CREATE TABLE archive.conflicts (
    id               bigserial   PRIMARY KEY,
    record_id        text        NOT NULL,
    conversation_id  text        NOT NULL,
    kind             text        NOT NULL,
    sent_at          timestamptz NOT NULL,
    sender           text        NOT NULL,
    recipients       text[]      NOT NULL,
    content_type     text        NOT NULL,
    body             text        NULL,
    external         boolean     NOT NULL,
    frontend         text        NOT NULL,
    received_at      timestamptz NOT NULL,
    content_hash     bytea       NOT NULL,
    detected_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT conflicts_record_content_key UNIQUE (record_id, content_hash)
);

-- What the database or the validator refused, with the raw JSON, so it never blocks the rest and
-- can be replayed (./archiver replay-dead-letters).
CREATE TABLE archive.dead_letters (
    id               bigserial   PRIMARY KEY,
    record_id        text        NULL,
    payload          text        NOT NULL,
    reason           text        NOT NULL,
    frontend         text        NULL,
    received_at      timestamptz NULL,
    failed_at        timestamptz NOT NULL DEFAULT now(),
    attempts         integer     NOT NULL DEFAULT 1,
    replayed_at      timestamptz NULL
);

CREATE INDEX dead_letters_pending_idx ON archive.dead_letters (id) WHERE replayed_at IS NULL;

-- Every admin and auditor call (contract section 4).
CREATE TABLE archive.audit_log (
    id               bigserial   PRIMARY KEY,
    at               timestamptz NOT NULL DEFAULT now(),
    actor            text        NOT NULL,
    action           text        NOT NULL,
    parameters       jsonb       NULL,
    result           jsonb       NULL
);

CREATE INDEX audit_log_at_idx ON archive.audit_log (at);

-- One row per purge, manual or scheduled, dry run or not.
CREATE TABLE archive.purge_runs (
    id               bigserial   PRIMARY KEY,
    started_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz NULL,
    trigger          text        NOT NULL,
    dry_run          boolean     NOT NULL,
    parameters       jsonb       NULL,
    purged           bigint      NOT NULL DEFAULT 0,
    held_back        bigint      NOT NULL DEFAULT 0,
    details          jsonb       NULL
);

-- Legal holds: on a participant or on a conversation, never both.
CREATE TABLE archive.holds (
    id               bigserial   PRIMARY KEY,
    participant      text        NULL,
    conversation_id  text        NULL,
    reason           text        NOT NULL,
    placed_by        text        NULL,
    placed_at        timestamptz NOT NULL DEFAULT now(),
    released_at      timestamptz NULL,
    released_by      text        NULL,
    CONSTRAINT holds_one_target CHECK ((participant IS NULL) <> (conversation_id IS NULL))
);

CREATE INDEX holds_active_idx ON archive.holds (participant, conversation_id) WHERE released_at IS NULL;
