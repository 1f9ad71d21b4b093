-- Integrity seals (issue 5, item 3; io.archiver.compliance.integrity): the archive proves that nothing
-- was changed, removed or inserted behind its back.
--
-- Per UTC day, once the day is over (plus a grace period for late records), a Quartz job seals it:
--   * archive.integrity_sealed_records gets the day's list of records as sealed: id, sent_at, content hash
--     (what archive.message_ids holds, frozen at the seal), so that a later check can name each record
--     that changed, went or came;
--   * archive.integrity_seals gets the day's seal: how many records and their root, SHA-256 over
--     "archiver.integrity.day.v1", the day, and each record's leaf SHA-256(id, content hash, sent_at in
--     microseconds) in (sent_at, record_id COLLATE "C") order. The root binds the sealed list: altering
--     that list changes the root.
-- Every seal, first or later, is an entry of one append-only log chained by hash: each entry's chain is
-- SHA-256 over the previous entry's chain and its own fields (seq, day, records, root, sealed_at,
-- sealed_by, note), so an entry removed or rewritten breaks the chain at the next one. With the setting
-- integrity.key (a secret kept outside the database) each entry also carries an HMAC of its chain, which
-- SQL access alone cannot forge.
--
-- A day is sealed again (never silently): when records of it arrive late, and after a recorded purge
-- (archive.purge_runs) removed some of its records, each time after checking that what was sealed is
-- intact. The entry it replaces moves to archive.integrity_seal_history with the reason; the log is the
-- union of both tables, ordered by seq.

CREATE SEQUENCE archive.integrity_seal_seq;

-- The current seal of each sealed day.
CREATE TABLE archive.integrity_seals (
    day             date        NOT NULL,
    seq             bigint      NOT NULL,
    records         bigint      NOT NULL CHECK (records >= 0),
    root            bytea       NOT NULL,
    sealed_at       timestamptz NOT NULL,
    sealed_by       text        NOT NULL,
    note            text        NOT NULL,
    details         jsonb       NULL,
    previous_chain  bytea       NOT NULL,
    chain           bytea       NOT NULL,
    mac             bytea       NULL,
    CONSTRAINT integrity_seals_pkey PRIMARY KEY (day),
    CONSTRAINT integrity_seals_seq_key UNIQUE (seq)
);

COMMENT ON TABLE archive.integrity_seals IS 'The current seal of each UTC day: count and root of its records, an entry of the chained seal log (io.archiver.compliance.integrity)';
COMMENT ON COLUMN archive.integrity_seals.previous_chain IS 'chain of the log entry before this one (by seq, across integrity_seals and integrity_seal_history); 32 zero bytes for the first';
COMMENT ON COLUMN archive.integrity_seals.mac IS 'HMAC-SHA256 of chain under integrity.key when the sealing node had one';

-- Seals that were replaced, and why: a re-seal is visible, not silent.
CREATE TABLE archive.integrity_seal_history (
    seq             bigint      NOT NULL,
    day             date        NOT NULL,
    records         bigint      NOT NULL,
    root            bytea       NOT NULL,
    sealed_at       timestamptz NOT NULL,
    sealed_by       text        NOT NULL,
    note            text        NOT NULL,
    details         jsonb       NULL,
    previous_chain  bytea       NOT NULL,
    chain           bytea       NOT NULL,
    mac             bytea       NULL,
    superseded_at   timestamptz NOT NULL,
    superseded_by   bigint      NOT NULL,
    reason          text        NOT NULL,
    CONSTRAINT integrity_seal_history_pkey PRIMARY KEY (seq)
);

CREATE INDEX integrity_seal_history_day_idx ON archive.integrity_seal_history (day, seq);

COMMENT ON TABLE archive.integrity_seal_history IS 'Seals replaced by a later seal of the same day (late records, a recorded purge), with the reason';

-- The records each current seal covers. The root takes them in (sent_at, record_id COLLATE "C") order:
-- byte order, which does not depend on the server's locale (the column keeps the default collation so
-- that it joins archive.messages and archive.message_ids on their indexes).
CREATE TABLE archive.integrity_sealed_records (
    day             date        NOT NULL,
    sent_at         timestamptz NOT NULL,
    record_id       text        NOT NULL,
    content_hash    bytea       NOT NULL,
    CONSTRAINT integrity_sealed_records_pkey PRIMARY KEY (day, sent_at, record_id)
);

COMMENT ON TABLE archive.integrity_sealed_records IS 'The records of each sealed day as sealed (id, sent_at, content hash); bound to the seal by its root';
