-- The archive partitioned by UTC day of sent_at (issue 3), so that an expired day goes by detaching and
-- dropping one table instead of deleting millions of rows.
--
-- PostgreSQL's unique indexes on a partitioned table must include the partition key, so the
-- one-row-per-record-id guarantee (contract section 8) moves to archive.message_ids, a plain table
-- keyed by record_id, written in the same transaction as the message. It carries sent_at (to find the
-- day of an id) and the content hash (to tell a duplicate from a conflict without visiting the day).
--
-- Indexes, each paid on every COPY of the writer:
--   message_ids_pkey              record_id: the idempotency key across all days
--   messages_sent_at_idx          per day: time order, retention by age
--   messages_conversation_idx     per day: a conversation in time order
--   messages_participants_idx     per day: GIN over sender + recipients (query with the same expression)

ALTER TABLE archive.messages RENAME TO messages_v1;
ALTER INDEX archive.messages_pkey RENAME TO messages_v1_pkey;
ALTER INDEX archive.messages_sent_at_idx RENAME TO messages_v1_sent_at_idx;
ALTER INDEX archive.messages_conversation_idx RENAME TO messages_v1_conversation_idx;
ALTER INDEX archive.messages_participants_idx RENAME TO messages_v1_participants_idx;

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
    content_hash     bytea       NOT NULL
) PARTITION BY RANGE (sent_at);

CREATE INDEX messages_sent_at_idx ON archive.messages (sent_at);
CREATE INDEX messages_conversation_idx ON archive.messages (conversation_id, sent_at);
CREATE INDEX messages_participants_idx ON archive.messages USING gin (array_prepend(sender, recipients));

COMMENT ON TABLE archive.messages IS 'One row per archived record id (see archive.message_ids), partitioned by UTC day of sent_at; written only by the archive node''s writer';
COMMENT ON COLUMN archive.messages.content_hash IS 'SHA-256 of the canonical record content (io.archiver.core.record.ContentHash)';

CREATE TABLE archive.message_ids (
    record_id        text        NOT NULL,
    sent_at          timestamptz NOT NULL,
    content_hash     bytea       NOT NULL,
    CONSTRAINT message_ids_pkey PRIMARY KEY (record_id)
);

COMMENT ON TABLE archive.message_ids IS 'Every record id in archive.messages, once: the archive-wide uniqueness a partitioned table cannot enforce';

-- The name of the partition of a day: messages_pYYYYMMDD.
CREATE FUNCTION archive.day_partition_name(day date) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT 'messages_p' || to_char(day, 'YYYYMMDD') $$;

-- Creates the partition of a day unless it exists; true when it created one. Called by the writer
-- for a day it has not seen, and by the maintenance job ahead of time. The table is created on its
-- own and then attached: ATTACH PARTITION takes only SHARE UPDATE EXCLUSIVE on archive.messages,
-- where CREATE TABLE ... PARTITION OF would take ACCESS EXCLUSIVE and stall every writer and reader.
-- The CHECK constraint matching the bounds lets ATTACH skip its validation scan.
CREATE FUNCTION archive.ensure_day_partition(day date) RETURNS boolean
    LANGUAGE plpgsql AS $$
DECLARE
    name        text        := archive.day_partition_name(day);
    lower_bound timestamptz := day::timestamp AT TIME ZONE 'UTC';
    upper_bound timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
BEGIN
    -- One creator per day at a time (writer threads, nodes, the maintenance job).
    PERFORM pg_advisory_xact_lock(hashtext('archive.messages'), day - date '2000-01-01');
    IF EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               WHERE i.inhparent = 'archive.messages'::regclass AND c.relname = name) THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE archive.%I (LIKE archive.messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    EXECUTE format('ALTER TABLE archive.%I ADD CONSTRAINT %I CHECK (sent_at >= %L AND sent_at < %L)',
                   name, name || '_bounds', lower_bound, upper_bound);
    EXECUTE format('ALTER TABLE archive.messages ATTACH PARTITION archive.%I FOR VALUES FROM (%L) TO (%L)',
                   name, lower_bound, upper_bound);
    RETURN true;
END $$;

-- What the archive held before partitioning moves over.
SELECT archive.ensure_day_partition(day)
  FROM (SELECT DISTINCT (sent_at AT TIME ZONE 'UTC')::date AS day FROM archive.messages_v1) days;
INSERT INTO archive.messages (record_id, conversation_id, kind, sent_at, sender, recipients, content_type, body,
                              external, frontend, received_at, archived_at, exported_at, content_hash)
SELECT record_id, conversation_id, kind, sent_at, sender, recipients, content_type, body,
       external, frontend, received_at, archived_at, exported_at, content_hash
  FROM archive.messages_v1;
INSERT INTO archive.message_ids (record_id, sent_at, content_hash)
SELECT record_id, sent_at, content_hash FROM archive.messages_v1;
DROP TABLE archive.messages_v1;

-- Purge runs: which node, how it ended, and what was kept because it was not exported yet.
ALTER TABLE archive.purge_runs
    ADD COLUMN node          text   NULL,
    ADD COLUMN state         text   NOT NULL DEFAULT 'running',
    ADD COLUMN not_exported  bigint NOT NULL DEFAULT 0,
    ADD COLUMN error         text   NULL;

COMMENT ON COLUMN archive.purge_runs.state IS 'running, done, failed, or interrupted (its node died or stopped; a recovered run finishes the work)';
